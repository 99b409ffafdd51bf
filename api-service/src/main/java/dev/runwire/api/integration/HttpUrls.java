package dev.runwire.api.integration;

import dev.runwire.model.http.HttpValues;

/**
 * The one check of user-given URLs: absolute http(s) with a host, at most 2048 characters, no fragment (see
 * {@link HttpValues#urlProblem}).
 */
public final class HttpUrls {

    private HttpUrls() {
    }

    /**
     * @param queryAllowed
     *            false for base URLs that request templates extend with a path
     */
    public static boolean valid(String value, boolean queryAllowed) {
        return HttpValues.urlProblem(value, queryAllowed) == null;
    }
}
