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
        int pathStart = url.indexOf('/', hostStart);
        String authority = pathStart < 0 ? url.substring(hostStart) : url.substring(hostStart, pathStart);
        int at = authority.lastIndexOf('@');
        String host = at < 0 ? authority : authority.substring(at + 1);
        int end = url.length();
        for (char stop : new char[] { '?', '#' }) {
            int i = url.indexOf(stop, hostStart);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        String path = pathStart < 0 || pathStart >= end ? "" : url.substring(pathStart, end);
        return (scheme < 0 ? "" : url.substring(0, hostStart)) + host + path;
    }
}
