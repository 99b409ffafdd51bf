package dev.runwire.api.error;

import java.util.List;

/**
 * Zapier's Actions API: JSON:API error documents, as the native surface, with that API's words where they differ: a
 * request without valid credentials is a 403 {@code permission_denied} ("Permission denied. Unauthorized request." is
 * the only refusal it documents), and its 500 is {@code external_service_error}.
 */
final class ZapierRenderer implements ErrorRenderer {

    @Override
    public Rendered render(int status, List<ErrorObject> errors) {
        if (status == 401) {
            String detail = errors.get(0).detail();
            return new Rendered(403, new ErrorBody(List.of(new ErrorObject(403, "permission_denied",
                    "Permission Denied", "Permission denied. Unauthorized request (" + detail + ").", null, null))));
        }
        if (status == 500) {
            return new Rendered(status,
                    new ErrorBody(errors.stream()
                            .map(e -> "internal_error".equals(e.code()) ? new ErrorObject(e.status(),
                                    "external_service_error", e.title(), e.detail(), e.source(), e.meta()) : e)
                            .toList()));
        }
        return new Rendered(status, new ErrorBody(errors));
    }
}
