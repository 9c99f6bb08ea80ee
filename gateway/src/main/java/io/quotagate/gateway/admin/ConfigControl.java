package io.quotagate.gateway.admin;

import io.quotagate.gateway.reload.ReloadResult;

/**
 * The admin API's handle on config reload ({@code POST /v1/config/reload}). The composition root implements it
 * with its {@link io.quotagate.gateway.reload.ConfigReloader}: {@code () -> reloader.reload("admin")}. The config in
 * force itself ({@code GET /v1/config}) comes from the same supplier every admin call reads.
 */
@FunctionalInterface
public interface ConfigControl {

    /**
     * Reads and validates the config file whole and swaps it in only when it is valid. May block (it reads a file):
     * the admin API calls it off the event loop.
     */
    ReloadResult reload();
}
