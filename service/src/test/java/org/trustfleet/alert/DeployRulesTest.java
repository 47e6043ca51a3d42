package org.trustfleet.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shipped Prometheus rules and Grafana dashboard, checked for structure (promtool is not installed here): the
 * rule-file shape Prometheus accepts, durations it parses, balanced expressions, and only metric names the service
 * exports (the ones {@code AlertsApiTest} and {@code AlertMetricsLimitTest} read from {@code /q/metrics}).
 */
class DeployRulesTest {
    static final Set<String> EXPORTED = Set.of("trustfleet_endpoint_info", "trustfleet_endpoint_trusted",
            "trustfleet_endpoint_presented_not_after_seconds", "trustfleet_endpoint_completed_not_after_seconds",
            "trustfleet_endpoint_last_scan_seconds", "trustfleet_endpoint_last_scan_status", "trustfleet_group_info",
            "trustfleet_group_devices", "trustfleet_alert_deliveries", "trustfleet_metrics_series_omitted");
    static final Pattern METRIC = Pattern.compile("\\btrustfleet_[a-z_]+\\b");
    static final Pattern DURATION = Pattern.compile("^([0-9]+(ms|s|m|h|d|w|y))+$");
    static final Path DEPLOY = Path.of("..", "deploy");

    @Test
    void rulesHaveTheShapePrometheusLoads() throws IOException {
        JsonNode root = new YAMLMapper().readTree(DEPLOY.resolve("prometheus/trustfleet-alerts.yml").toFile());
        assertThat(root.fieldNames()).toIterable().containsExactly("groups");
        Set<String> groupNames = new HashSet<>();
        Set<String> alerts = new HashSet<>();
        for (JsonNode group : root.get("groups")) {
            assertThat(groupNames.add(group.get("name").asText())).as("unique group name").isTrue();
            assertThat(group.get("rules").isArray()).isTrue();
            assertThat(group.get("rules")).isNotEmpty();
            for (JsonNode rule : group.get("rules")) {
                String alert = rule.path("alert").asText();
                assertThat(alert).matches("[A-Za-z_][A-Za-z0-9_]*");
                assertThat(alerts.add(alert)).as("unique alert %s", alert).isTrue();
                assertThat(rule.fieldNames()).toIterable()
                        .allMatch(Set.of("alert", "expr", "for", "labels", "annotations")::contains);
                String expr = rule.path("expr").asText();
                assertThat(expr).as(alert).isNotBlank();
                assertBalanced(expr);
                assertThat(metrics(expr)).as("metrics of %s", alert).isNotEmpty().isSubsetOf(EXPORTED);
                if (rule.has("for")) {
                    assertThat(rule.get("for").asText()).matches(DURATION);
                }
                assertThat(rule.path("labels").path("severity").asText()).isIn("warning", "critical");
                assertThat(rule.path("annotations").path("summary").asText()).isNotBlank();
            }
        }
        // the built-in event types that have a metric equivalent
        assertThat(alerts).contains("TrustfleetEndpointUntrusted", "TrustfleetCertificateExpiring30d",
                "TrustfleetEndpointUnreachable", "TrustfleetGroupNoncompliant", "TrustfleetAlertDeliveriesFailed",
                "TrustfleetMetricsOmitted");
    }

    @Test
    void dashboardUsesOnlyExportedMetrics() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DEPLOY.resolve("grafana/trustfleet-dashboard.json")
                .toFile());
        assertThat(dashboard.path("title").asText()).isNotBlank();
        assertThat(dashboard.path("panels")).isNotEmpty();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(ids.add(panel.get("id").asInt())).isTrue();
            for (JsonNode target : panel.get("targets")) {
                String expr = target.get("expr").asText();
                assertBalanced(expr);
                assertThat(metrics(expr)).isNotEmpty().isSubsetOf(EXPORTED);
            }
        }
        assertThat(Files.readString(DEPLOY.resolve("grafana/trustfleet-dashboard.json"))).doesNotContain("${DS_");
    }

    static Set<String> metrics(String expr) {
        Set<String> names = new HashSet<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    static void assertBalanced(String expr) {
        int round = 0;
        int curly = 0;
        for (char c : expr.toCharArray()) {
            round += c == '(' ? 1 : c == ')' ? -1 : 0;
            curly += c == '{' ? 1 : c == '}' ? -1 : 0;
            assertThat(round).as(expr).isNotNegative();
            assertThat(curly).as(expr).isNotNegative();
        }
        assertThat(round).as(expr).isZero();
        assertThat(curly).as(expr).isZero();
    }
}
