package dev.runwire.api.error;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** What this API accepts of a request's URI and headers; beyond these the HTTP layer answers 414 or 431. */
@ConfigMapping(prefix = "runwire.http")
public interface HttpLimits {

    /** Longest request URI (path and query), in characters; a longer one is answered 414. */
    @WithDefault("4096")
    int maxUriLength();

    /** Most bytes of request headers in total (names, values, separators); more is answered 431. */
    @WithDefault("20480")
    int maxHeaderBytes();

    /** Most request header lines (each repetition counted); more is answered 431. */
    @WithDefault("100")
    int maxHeaders();
}
