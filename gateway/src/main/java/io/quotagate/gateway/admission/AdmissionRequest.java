package io.quotagate.gateway.admission;

/**
 * What admission needs of a request.
 *
 * @param path   the request path without query string, as received (not decoded)
 * @param apiKey the presented key, or null when none was sent
 */
public record AdmissionRequest(String method, String path, String apiKey) {
}
