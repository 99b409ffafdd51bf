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
}
