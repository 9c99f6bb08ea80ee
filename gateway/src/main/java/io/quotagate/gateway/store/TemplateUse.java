package io.quotagate.gateway.store;

/**
 * What a request does to the tenant's template slots (rule 7): nothing, take a slot (kept only if the upstream
 * answers 2xx), or free one when the upstream answers 2xx. The store's own type; admission translates the
 * route's configured action into it.
 */
public enum TemplateUse {
    NONE, CREATE, DELETE;

    /** The name the Lua scripts use ({@code none}, {@code create}, {@code delete}). */
    public String wire() {
        return switch (this) {
            case NONE -> "none";
            case CREATE -> "create";
            case DELETE -> "delete";
        };
    }
}
