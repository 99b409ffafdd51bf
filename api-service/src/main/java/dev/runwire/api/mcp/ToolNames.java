package dev.runwire.api.mcp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Tool names from action keys, within the 60 characters the strictest client allows (Cursor counts server and tool name
 * together, so the tool's part is kept to 60 of its own). A key of at most 60 characters is its own name (keys use only
 * {@code [A-Za-z0-9_.-]}, the characters MCP recommends). A longer key keeps its first 51 characters, then {@code _}
 * and 8 hex digits of its SHA-256: 60 characters, the same on every replica and every call, and unique among the
 * owner's keys unless two keys share their first 51 characters and 32 bits of hash. A key that itself looks like such a
 * name (60 characters ending in {@code _} and 8 hex digits) is hashed too, so no key's name is another's.
 */
final class ToolNames {

    static final int MAX = 60;
    static final int PREFIX = 51;
    private static final Pattern HASHED = Pattern.compile(".{" + PREFIX + "}_[0-9a-f]{8}");

    private ToolNames() {
    }

    /** The tool name of an action key. */
    static String of(String key) {
        if (key.length() <= MAX && !HASHED.matcher(key).matches()) {
            return key;
        }
        return key.substring(0, PREFIX) + "_" + hash(key);
    }

    /**
     * The key prefix a name stands for: the whole key for a plain name, the first 51 characters for a hashed one (the
     * caller then compares {@link #of} of each candidate).
     */
    static String keyPrefix(String name) {
        return hashed(name) ? name.substring(0, PREFIX) : name;
    }

    /** Whether the name is a shortened one, whose key is longer. */
    static boolean hashed(String name) {
        return HASHED.matcher(name).matches();
    }

    /** What OpenAI's and Anthropic's tool names allow. */
    static final Pattern PORTABLE = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    static final int PORTABLE_MAX = 64;

    /**
     * The tool name of an action key for the OpenAI and Anthropic APIs, which allow no dot: the MCP name when it has
     * none; else its dots become {@code _} and, unless the name already ends in the key's hash, {@code _} and 8 hex
     * digits of the key's SHA-256 are added (the first 55 characters kept when it would pass 64), so {@code a.b} and a
     * key {@code a_b} stay apart. Depends on the key alone: adding an action never renames another's tool.
     */
    static String portable(String key) {
        String name = of(key);
        if (PORTABLE.matcher(name).matches()) {
            return name;
        }
        String mapped = name.replace('.', '_');
        if (hashed(name)) {
            return mapped;
        }
        int keep = Math.min(mapped.length(), PORTABLE_MAX - 9);
        return mapped.substring(0, keep) + "_" + hash(key);
    }

    private static String hash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
