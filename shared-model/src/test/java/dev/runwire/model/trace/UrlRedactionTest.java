package dev.runwire.model.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class UrlRedactionTest {

    @Test
    void keepsSchemeHostAndPathOnly() {
        assertEquals("https://hooks.example.com/run/1",
                UrlRedaction.withoutQuery("https://user:pw@hooks.example.com/run/1?token=secret#frag"));
        assertEquals("http://127.0.0.1:8080", UrlRedaction.withoutQuery("http://127.0.0.1:8080?key=secret"));
        assertEquals("http://h/p", UrlRedaction.withoutQuery("http://h/p"));
    }
}
