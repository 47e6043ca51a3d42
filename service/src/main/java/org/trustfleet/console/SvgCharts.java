package org.trustfleet.console;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Charts drawn on the server as SVG markup, so a page needs no chart script. Only numbers and fixed words are written
 * into the markup; certificate subjects never are (they are listed, escaped, beside the chart).
 */
final class SvgCharts {
    static final int WEEKS = 5;

    private SvgCharts() {}

    /** Certificates expiring per week over the next five weeks (expired ones in week 0), as a bar chart. */
    static String expiryChart(List<Views.Expiring> expiring, Instant now) {
        int[] perWeek = new int[WEEKS];
        for (Views.Expiring e : expiring) {
            long days = Duration.between(now, e.notAfter()).toDays();
            int week = (int) Math.max(0, Math.min(WEEKS - 1, days / 7));
            perWeek[week]++;
        }
        int max = 1;
        for (int n : perWeek) {
            max = Math.max(max, n);
        }
        int width = 420;
        int height = 160;
        int barWidth = 60;
        StringBuilder svg = new StringBuilder(1024);
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" "
                + "viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"expiry-chart-title\">", width, height));
        svg.append("<title id=\"expiry-chart-title\">Certificates expiring per week</title>");
        for (int i = 0; i < WEEKS; i++) {
            int barHeight = perWeek[i] * 110 / max;
            int x = 20 + i * 80;
            int y = 130 - barHeight;
            svg.append(String.format(Locale.ROOT, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\">"
                    + "<title>week %d: %d</title></rect>", x, y, barWidth, barHeight, i + 1, perWeek[i]));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"value\">%d</text>",
                    x + barWidth / 2, Math.max(12, y - 4), perWeek[i]));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"150\" class=\"axis\">week %d</text>",
                    x + barWidth / 2, i + 1));
        }
        svg.append("</svg>");
        return svg.toString();
    }
}
