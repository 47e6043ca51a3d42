package org.trustfleet.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.Browser;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * The console in headless Chromium against the running service, on a world built through the API: real scans of
 * in-process TLS servers (one chaining to the tenant's private CA, one that leaves out its intermediate, one
 * unreachable) and enrolled devices. An admin signs in, sees every page with its expected content, adds an endpoint
 * and scans it, creates a group and downloads an export, creates an enrollment token (and reads its QR code back),
 * revokes a device, signs out and is refused. Every page is saved as a screenshot under
 * {@code target/console-screenshots}.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class ConsoleBrowserTest {
    static final String HOST = "sts.console.test";

    @TestHTTPResource("/")
    URL base;

    static Cert root;
    static Cert intermediate;
    static TestTlsServer anchored;
    static TestTlsServer incomplete;

    @BeforeAll
    static void servers() throws Exception {
        root = TestPki.root("Contoso Private Root");
        intermediate = root.issueIntermediate("Contoso Issuing CA");
        Cert leaf = intermediate.issueLeaf(HOST);
        anchored = TestTlsServer.tls(TestPki.certs(leaf, intermediate), leaf.keyPair().getPrivate());
        Cert orphanCa = TestPki.root("Fabrikam Root").issueIntermediate("Fabrikam Issuing CA");
        Cert orphan = orphanCa.issueLeaf(HOST);
        incomplete = TestTlsServer.tls(TestPki.certs(orphan), orphan.keyPair().getPrivate());
    }

    @AfterAll
    static void stop() throws Exception {
        if (anchored != null) {
            anchored.close();
        }
        if (incomplete != null) {
            incomplete.close();
        }
    }

    @Test
    void anAdminWorksThroughEveryPage() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("Contoso");
        String tenant = t[0];
        String admin = t[1];
        as(admin).contentType(ContentType.JSON).body(Map.of("pem", CertificateEncoder.toPem(List.of(root.cert())),
                "note", "corporate root")).post("/api/v1/tenants/{t}/anchors", tenant).then().statusCode(201);
        String login = endpoint(tenant, admin, "login", anchored.port());
        endpoint(tenant, admin, "autodiscover", incomplete.port());
        endpoint(tenant, admin, "legacy-sync", TestTlsServer.closedPort());
        as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, login).then().statusCode(201);
        String group = DeviceFixtures.group(tenant, admin, "field phones", List.of());
        DeviceFixtures.Device phone = DeviceFixtures.device(tenant, admin, group);
        DeviceFixtures.device(tenant, admin, group);
        String base = "/console/tenants/" + tenant;

        try (Browser browser = Browser.open(this.base.toString())) {
            // a bookmark without a session goes to the sign-in page
            browser.go(base + "/endpoints");
            browser.awaitPath("/console/sign-in");
            assertThat(browser.visible(By.id("token")).getAttribute("type")).isEqualTo("password");
            browser.screenshot("sign-in");
            browser.type(By.id("token"), admin);
            browser.clickAndWaitForNewPage(By.id("sign-in"));
            // a tenant key lands on its overview
            browser.awaitPath(base);
            assertThat(browser.visible(By.tagName("h1")).getText()).isEqualTo("Overview");
            assertThat(browser.text()).contains("Endpoints failing per Android version")
                    .contains("Devices by compliance state").contains("PENDING");
            assertThat(browser.script("return document.cookie")).isEqualTo(""); // HttpOnly: no script sees it
            assertThat(browser.script("return JSON.stringify(localStorage) + JSON.stringify(sessionStorage)"))
                    .isEqualTo("{}{}");
            browser.readmeScreenshot("overview");

            // the trust matrix: the anchored chain is fixable on every level, the incomplete one is not
            browser.go(base + "/endpoints");
            WebElement matrix = browser.visible(By.id("trust-matrix"));
            assertThat(matrix.getText()).contains("login").contains("autodiscover").contains("legacy-sync");
            assertThat(browser.all("#trust-matrix thead th.level")).hasSizeGreaterThanOrEqualTo(18);
            assertThat(row(browser, "login").findElements(By.cssSelector("td.cell.fixable"))).isNotEmpty();
            assertThat(row(browser, "autodiscover").findElements(By.cssSelector("td.cell"))).allSatisfy(
                    c -> assertThat(c.getAttribute("class")).contains("unknown")); // not scanned yet
            WebElement fixable = row(browser, "login").findElement(By.cssSelector("td.cell.fixable"));
            assertThat(fixable.getAttribute("title")).startsWith("install 1 certificate"); // the reason on hover
            assertThat(fixable.getText()).startsWith("+"); // a symbol besides the colour (and a word for readers)
            assertThat(fixable.findElement(By.tagName("i")).getAttribute("textContent")).isEqualTo(" fixable");
            browser.readmeScreenshot("endpoints");
            browser.resize(390, 844);
            browser.screenshot("endpoints-390px");
            // readable at 390 px: the page itself does not scroll sideways; only the matrix does, inside its wrapper
            assertThat(((Number) browser.script("return document.documentElement.scrollWidth - window.innerWidth"))
                    .longValue()).isLessThanOrEqualTo(0);
            assertThat(((Number) browser.script("var w = document.querySelector('#matrix');"
                    + " return w.scrollWidth - w.clientWidth")).longValue()).isPositive();
            assertThat(((Number) browser.script("return document.querySelector('#trust-matrix th.level').offsetHeight"))
                    .longValue()).as("a level header is not squeezed to a letter per line").isLessThan(60);
            browser.resize(1280, 900);

            // filter (htmx swaps the table; without script the form submits the same query)
            browser.type(By.id("q"), "auto");
            browser.await(d -> d.findElements(By.cssSelector("#trust-matrix tbody tr")).size() == 1);
            assertThat(browser.visible(By.id("trust-matrix")).getText()).contains("autodiscover")
                    .doesNotContain("legacy-sync");

            // add an endpoint and scan it
            browser.go(base + "/endpoints");
            browser.type(By.id("ep-name"), "webmail");
            browser.type(By.id("ep-host"), "127.0.0.1");
            browser.type(By.id("ep-port"), String.valueOf(incomplete.port()));
            browser.type(By.id("ep-sni"), HOST);
            browser.clickAndWaitForNewPage(By.id("add-endpoint-submit"));
            assertThat(browser.visible(By.id("endpoint-name")).getText()).isEqualTo("webmail");
            assertThat(browser.visible(By.id("endpoint-status")).getText()).isEqualTo("NOT_SCANNED");
            browser.clickAndWaitForNewPage(By.id("scan-now"));
            browser.await(d -> browser.visible(By.id("endpoint-status")).getText().equals("OK"));
            assertThat(browser.all("#findings li")).isNotEmpty();
            assertThat(browser.all("table.matrix td.cell.broken")).isNotEmpty(); // nothing a device could install
            assertThat(browser.visible(By.id("history")).getText()).contains("MANUAL");
            browser.screenshot("endpoint-incomplete");

            // the anchored endpoint's detail: presented chain, completed path with the root the server did not send
            browser.go(base + "/endpoints/" + login);
            assertThat(browser.visible(By.id("presented-chain")).getText()).contains("CN=" + HOST)
                    .contains("Contoso Issuing CA");
            assertThat(browser.visible(By.id("completed-path")).getText()).contains("Contoso Private Root")
                    .contains("not sent by the server");
            browser.readmeScreenshot("endpoint");

            // create a device group and download its PEM export
            browser.go(base + "/device-groups");
            browser.type(By.id("g-name"), "Sales tablets");
            browser.type(By.id("g-min"), "24");
            browser.type(By.id("g-max"), "36");
            browser.clickAndWaitForNewPage(By.id("add-group-submit"));
            assertThat(browser.visible(By.id("group-name")).getText()).isEqualTo("Sales tablets");
            assertThat(browser.visible(By.id("required")).getText()).contains("Contoso Private Root");
            assertThat(browser.text()).contains("opt in");
            browser.readmeScreenshot("device-group");
            WebElement pem = browser.visible(By.linkText("pem"));
            pem.click();
            Path download = browser.awaitDownload("trustfleet-sales-tablets.pem");
            String pemText = Files.readString(download, StandardCharsets.US_ASCII);
            assertThat(pemText).contains("-----BEGIN CERTIFICATE-----");
            assertThat(org.trustfleet.pki.CertificateParser.parse(pemText)).contains(root.cert());
            browser.go(base + "/device-groups");
            assertThat(browser.visible(By.id("groups")).getText()).contains("Sales tablets");
            browser.screenshot("device-groups");

            // enrollment: a new token is shown once, with a QR code of the enrollment URL and token
            browser.go(base + "/enrollment");
            new Select(browser.visible(By.id("t-group"))).selectByVisibleText("Sales tablets");
            browser.clickAndWaitForNewPage(By.id("create-token-submit"));
            String token = browser.visible(By.id("new-token")).getAttribute("value");
            assertThat(token).startsWith("tfe_");
            WebElement qr = browser.visible(By.cssSelector("svg.qr"));
            assertThat(decodeQr(qr.getScreenshotAs(OutputType.BYTES))).contains(token).contains("/api/v1/enroll");
            browser.readmeScreenshot("enrollment");
            browser.go(base + "/enrollment");
            assertThat(browser.text()).doesNotContain(token); // shown once
            assertThat(browser.visible(By.id("tokens")).getText()).contains(token.substring(0, 10));

            // devices: the compliance table, one device's detail, revoke it
            browser.go(base + "/devices");
            assertThat(browser.all("#devices tbody tr")).hasSize(2);
            browser.readmeScreenshot("devices");
            browser.go(base + "/devices?state=COMPLIANT");
            assertThat(browser.all("#devices tbody tr")).isEmpty();
            browser.go(base + "/devices/" + phone.id());
            assertThat(browser.visible(By.id("device-state")).getText()).isEqualTo("PENDING");
            browser.clickAndWaitForNewPage(By.id("revoke-device"));
            assertThat(browser.visible(By.id("device-state")).getText()).isEqualTo("REVOKED");
            browser.screenshot("device");
            as(phone.token()).get("/api/v1/device/payload").then().statusCode(401);

            // anchors and drift
            browser.go(base + "/anchors");
            assertThat(browser.visible(By.id("anchors")).getText()).contains("Contoso Private Root")
                    .contains("corporate root");
            browser.screenshot("anchors");
            browser.go(base + "/drift");
            assertThat(browser.visible(By.cssSelector("svg.chart"))).isNotNull();
            assertThat(browser.visible(By.id("failing")).getText()).contains("login").contains("webmail");
            browser.readmeScreenshot("drift");

            // sign out, and the session is refused afterwards
            browser.clickAndWaitForNewPage(By.id("sign-out"));
            browser.awaitPath("/console/sign-in");
            browser.go(base + "/endpoints");
            browser.awaitPath("/console/sign-in");
            assertThat(browser.text()).doesNotContain("autodiscover");
        }
    }

    private static WebElement row(Browser browser, String name) {
        return browser.all("#trust-matrix tbody tr").stream()
                .filter(r -> r.findElement(By.cssSelector("th")).getText().startsWith(name + "\n")
                        || r.findElement(By.cssSelector("th a")).getText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no row " + name));
    }

    static String endpoint(String tenant, String admin, String name, int port) {
        return as(admin).contentType(ContentType.JSON).body(Map.of("name", name, "host", "127.0.0.1", "port", port,
                        "serverName", HOST)).post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201)
                .extract().path("id");
    }

    private static String decodeQr(byte[] png) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        int[] pixels = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(
                new RGBLuminanceSource(image.getWidth(), image.getHeight(), pixels)));
        return new QRCodeReader().decode(bitmap).getText();
    }
}
