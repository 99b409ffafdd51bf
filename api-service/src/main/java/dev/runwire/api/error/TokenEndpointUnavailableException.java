package dev.runwire.api.error;

/**
 * An OAuth 2 token endpoint Runwire needed (a grant or a refresh) could not be reached or answered something else:
 * nothing was written, and the grant may work later. Answered 502 on every surface.
 */
public class TokenEndpointUnavailableException extends RuntimeException {

    protected TokenEndpointUnavailableException(String reason) {
        super(reason);
    }
}
