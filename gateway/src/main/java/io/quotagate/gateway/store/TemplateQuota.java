package io.quotagate.gateway.store;

/** Template slots of one tenant and group: {@code quota} (free + bought, never expire) and {@code used}. */
public record TemplateQuota(long quota, long used) {
}
