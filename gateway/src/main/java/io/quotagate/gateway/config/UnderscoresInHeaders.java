package io.quotagate.gateway.config;

/**
 * What the proxy does with a client header whose name contains an underscore ({@code server.underscores_in_headers},
 * nginx's switch of the same name). Some upstream stacks (CGI-style environments, some frameworks) fold {@code _}
 * into {@code -}, so {@code X_Tenant_Id} could reach an application as the {@code X-Tenant-Id} the gateway sets.
 * Look-alikes of Content-Length and Transfer-Encoding are refused whatever this says.
 */
public enum UnderscoresInHeaders {
    /** Leave such headers out, as nginx does by default (and trailer fields of such names too). */
    DROP,
    /** Forward them, except a name that folds ({@code _} to {@code -}) into one the gateway drops or sets. */
    FORWARD
}
