package dev.runwire.api.ratelimit;

/** What requests are counted against: an API key, or a JWT's issuer and subject, with its limit per window. */
public interface RateSubject {

    /** The counter's name. */
    String subject();

    /** Not rate limited. */
    boolean exempt();

    /** Requests per window. */
    int limit();
}
