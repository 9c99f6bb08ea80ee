package io.quotagate.gateway.route;

import io.quotagate.gateway.config.GroupConfig;
import io.quotagate.gateway.config.RouteConfig;

/** The route a request matched, and its group. */
public record RouteMatch(GroupConfig group, RouteConfig route) {
}
