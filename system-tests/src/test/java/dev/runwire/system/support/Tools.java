package dev.runwire.system.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Tools the system tests install on first use, as CI must on a clean machine: npm packages at a pinned version into the
 * checkout's git-ignored {@code .runwire/tools}, and Debian's chromium.
 */
public final class Tools {

    /** The pinned browser driver of the tests that use a browser (Debian's chromium, driven by its library). */
    static final String PLAYWRIGHT = "playwright-core@1.65.1";

    private Tools() {
    }

    /**
     * The folder of an npm package ({@code name@version}, pinned: a new version may behave differently, so a change of
     * version is a change of the caller) installed into {@code .runwire/tools/<name>-<version>}, with its
     * {@code node_modules}; installed with npm if {@code marker} (a path inside that folder) is not there yet.
     */
    public static Path npm(String spec, String marker) throws Exception {
        int at = spec.lastIndexOf('@');
        String name = spec.substring(0, at).replace("@", "").replace('/', '-');
        return npm(name + "-" + spec.substring(at + 1), marker, spec);
    }

    /**
     * Several npm packages ({@code name@version} each, pinned) installed together into {@code .runwire/tools/<folder>},
     * with npm if {@code marker} (a path inside that folder) is not there yet. Name the folder after the versions, so
     * that a change of version installs anew.
     */
    public static Path npm(String folder, String marker, String... specs) throws Exception {
        String spec = String.join(" ", specs);
        Path dir = ServiceProcess.ROOT.resolve(".runwire/tools/" + folder);
        if (Files.exists(dir.resolve(marker))) {
            return dir;
        }
        Files.createDirectories(dir);
        long started = System.nanoTime();
        Process npm;
        try {
            java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("npm", "install", "--prefix",
                    dir.toString(), "--no-audit", "--no-fund", "--no-save", "--loglevel=error"));
            command.addAll(java.util.List.of(specs));
            npm = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("npm-install.log").toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("npm is needed to install " + spec + " (Node.js 20.19+): " + e.getMessage(), e);
        }
        assertTrue(npm.waitFor(10, TimeUnit.MINUTES), "npm install " + spec + " did not end within 10 minutes");
        assertEquals(0, npm.exitValue(),
                "npm install " + spec + " failed:\n" + Files.readString(dir.resolve("npm-install.log")));
        assertTrue(Files.exists(dir.resolve(marker)), "npm install " + spec + " left no " + marker);
        System.out.printf("installed %s in %d s%n", spec, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        return dir;
    }

    /**
     * Debian's chromium ({@code CHROMIUM} may name another build): installed with apt-get when missing and the tests
     * run as root; otherwise the test fails saying what to install.
     */
    /** The {@code playwright-core} package folder, installed on first use. */
    public static Path playwright() throws Exception {
        return npm(PLAYWRIGHT, "node_modules/playwright-core/package.json").resolve("node_modules/playwright-core");
    }

    public static Path chromium() throws Exception {
        Path browser = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        if (Files.isExecutable(browser)) {
            return browser;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new AssertionError(browser + " is missing: install Debian's chromium (apt-get install -y chromium) "
                    + "or set CHROMIUM to a Chromium executable");
        }
        for (String[] command : new String[][] { { "apt-get", "update" },
                { "apt-get", "install", "-y", "chromium" } }) {
            Path log = ServiceProcess.ROOT.resolve("system-tests/target/apt-get.log");
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process apt = builder.start();
            assertTrue(apt.waitFor(10, TimeUnit.MINUTES), String.join(" ", command) + " did not end within 10 minutes");
            assertEquals(0, apt.exitValue(), String.join(" ", command) + " failed:\n" + Files.readString(log));
        }
        assertTrue(Files.isExecutable(browser), "apt-get installed chromium but " + browser + " is not there");
        return browser;
    }
}
