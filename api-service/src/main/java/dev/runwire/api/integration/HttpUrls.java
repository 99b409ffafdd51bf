package dev.runwire.api.integration;

import java.net.URI;
import java.net.URISyntaxException;

/** The one check of user-given URLs: absolute http(s) with a host, at most 2048 characters, no fragment. */
public final class HttpUrls {

    private HttpUrls() {
    }

    /**
     * @param queryAllowed
     *            false for base URLs that request templates extend with a path
     */
    public static boolean valid(String value, boolean queryAllowed) {
        if (value == null || value.length() > 2048) {
            return false;
        }
        try {
            URI uri = new URI(value);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && (queryAllowed || uri.getRawQuery() == null) && uri.getRawFragment() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
