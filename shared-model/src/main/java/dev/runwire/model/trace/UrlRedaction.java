package dev.runwire.model.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;

/**
 * Keeps secrets out of the HTTP spans the framework records (docs/adr/0041): a query may hold a credential (an approval
 * token, an OAuth code or state, an API key), so the query and the full URL are replaced before the span is exported.
 * Runwire's own spans record no URL, header or body at all.
 */
public final class UrlRedaction implements SpanProcessor {

    static final String REDACTED = "REDACTED";
    private static final AttributeKey<String> URL_QUERY = AttributeKey.stringKey("url.query");
    private static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        if (span.getAttribute(URL_QUERY) != null) {
            span.setAttribute(URL_QUERY, REDACTED);
        }
        String full = span.getAttribute(URL_FULL);
        if (full != null) {
            span.setAttribute(URL_FULL, withoutQuery(full));
        }
    }

    @Override
    public boolean isStartRequired() {
        return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
    }

    @Override
    public boolean isEndRequired() {
        return false;
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }

    /** The URL up to its path: no user info, query or fragment. */
    static String withoutQuery(String url) {
        int scheme = url.indexOf("://");
        int hostStart = scheme < 0 ? 0 : scheme + 3;
        int end = url.length();
        for (char stop : new char[] { '?', '#' }) {
            int i = url.indexOf(stop, hostStart);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        int pathStart = url.indexOf('/', hostStart);
        if (pathStart < 0 || pathStart > end) {
            pathStart = end;
        }
        String authority = url.substring(hostStart, pathStart);
        String host = authority.substring(authority.lastIndexOf('@') + 1);
        return url.substring(0, hostStart) + host + url.substring(pathStart, end);
    }
}
