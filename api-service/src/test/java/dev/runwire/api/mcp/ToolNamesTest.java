package dev.runwire.api.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ToolNamesTest {

    @Test
    void aShortKeyIsItsOwnName() {
        assertEquals("get_weather", ToolNames.of("get_weather"));
        assertEquals("a".repeat(60), ToolNames.of("a".repeat(60)));
        assertFalse(ToolNames.hashed("get_weather"));
        assertEquals("get_weather", ToolNames.keyPrefix("get_weather"));
    }

    @Test
    void aLongKeyKeepsItsPrefixAndAHashWithinSixtyCharacters() {
        String key = "crm.contacts." + "x".repeat(100);
        String name = ToolNames.of(key);
        assertEquals(60, name.length());
        assertTrue(name.startsWith(key.substring(0, 51) + "_"));
        assertTrue(ToolNames.hashed(name));
        assertEquals(key.substring(0, 51), ToolNames.keyPrefix(name));
        // stable, and two keys with the same 51 first characters get different names
        assertEquals(name, ToolNames.of(key));
        assertNotEquals(name, ToolNames.of(key + "y"));
    }

    @Test
    void aKeyThatLooksShortenedIsShortenedItself() {
        String lookalike = "b".repeat(51) + "_0123abcd";
        String name = ToolNames.of(lookalike);
        assertNotEquals(lookalike, name);
        assertEquals(60, name.length());
    }

    @Test
    void portableNamesHaveNoDotAndStayApartFromTheUnderscoreSpelling() {
        assertEquals("get_weather", ToolNames.portable("get_weather"));
        assertEquals("a-b", ToolNames.portable("a-b"));
        String dotted = ToolNames.portable("crm.contact.get");
        assertTrue(dotted.matches("crm_contact_get_[0-9a-f]{8}"), dotted);
        assertNotEquals(ToolNames.portable("crm_contact_get"), dotted);
        assertEquals(dotted, ToolNames.portable("crm.contact.get"));
        // a dotted key of 60 characters: 55 kept, then the hash, 64 in all
        String sixty = "a." + "b".repeat(58);
        assertEquals(64, ToolNames.portable(sixty).length());
        assertTrue(ToolNames.portable(sixty).startsWith("a_" + "b".repeat(53) + "_"));
        // a long dotted key's MCP name already ends in its hash: only the dots change
        String long_ = "crm.contacts." + "x".repeat(100);
        assertEquals(ToolNames.of(long_).replace('.', '_'), ToolNames.portable(long_));
        for (String key : new String[] { "x", "a.b", sixty, long_, "k".repeat(128), "a.-_b" }) {
            assertTrue(ToolNames.PORTABLE.matcher(ToolNames.portable(key)).matches(), key);
        }
    }
}
