package org.trustfleet.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.api;
import static org.trustfleet.testing.Contract.as;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.math.BigInteger;
import java.net.URL;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.Browser;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * Attacker-controlled text is data: a TLS server whose certificates carry script in the subject ({@code "'><img
 * onerror>}), the issuer ({@code <script>}) and the subjectAltName (a {@code javascript:} URL), an endpoint name,
 * a device model and hardware id and an anchor note written the same way. In the browser, every page shows them as
 * text, no element they describe exists in the DOM and the flag each payload would set stays unset. (The CSP alone
 * would stop inline script; the DOM checks show the escaping holds without it.)
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class ConsoleXssTest {
    static final String HOST = "sts.xss.test";
    static final String SCRIPT = "<script>window.__xss='issuer'</script>";
    static final String IMG = "\"'><img src=x onerror=window.__xss='subject'>";
    static final String JS_URL = "javascript:window.__xss='san'";
    static final String NAME = "<script>window.__xss='name'</script>";
    static final String MODEL = "\"'><img src=x onerror=window.__xss='model'>";
    static final String HARDWARE = "<script>window.__xss='hardware'</script>";
    static final String NOTE = "<img src=x onerror=window.__xss='note'>";

    @TestHTTPResource("/")
    URL base;

    @Test
    void scannedAndUserTextIsRenderedAsTextAndNoScriptRuns() throws Exception {
        Cert root = TestPki.root(JS_URL);
        Cert issuer = root.issueIntermediate(SCRIPT);
        KeyPair leafKey = TestPki.keyPair(TestPki.KeyType.EC_P256);
        X509Certificate leaf = leaf(issuer, leafKey);
        String[] t = ApiFixtures.tenantWithAdmin("xss");
        String tenant = t[0];
        String admin = t[1];
        as(admin).contentType(ContentType.JSON).body(Map.of("pem", CertificateEncoder.toPem(List.of(root.cert())),
                "note", NOTE)).post("/api/v1/tenants/{t}/anchors", tenant).then().statusCode(201);
        try (TestTlsServer server = TestTlsServer.tls(List.of(leaf, issuer.cert()), leafKey.getPrivate());
             Browser browser = Browser.open(base.toString())) {
            String endpoint = as(admin).contentType(ContentType.JSON).body(Map.of("name", NAME, "host", "127.0.0.1",
                            "port", server.port(), "serverName", HOST)).post("/api/v1/tenants/{t}/endpoints", tenant)
                    .then().statusCode(201).extract().path("id");
            JsonPath scan = as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, endpoint).then()
                    .statusCode(201).extract().jsonPath();
            assertThat(scan.getString("status")).isEqualTo("OK");
            String subject = scan.getString("presented[0].subject");
            String issuerName = scan.getString("presented[0].issuer");
            assertThat(subject).contains("onerror");
            assertThat(issuerName).contains("script");
            // the group delivers the anchor and the scanned intermediate: their subjects reach its required
            // certificates and its version history
            String group = DeviceFixtures.group(tenant, admin, "xss", List.of(root.sha256(), issuer.sha256()));
            String enrollment = DeviceFixtures.enrollmentToken(tenant, admin, group, 1);
            String device = api().contentType(ContentType.JSON).body(Map.of("enrollmentToken", enrollment,
                            "hardwareId", HARDWARE, "apiLevel", 95, "model", MODEL)).post("/api/v1/enroll").then()
                    .statusCode(201).extract().path("deviceId");

            signIn(browser, admin);
            String base = "/console/tenants/" + tenant;
            check(browser, base + "/endpoints", NAME);
            check(browser, base + "/endpoints/" + endpoint, NAME, subject, issuerName, "URI:" + JS_URL);
            check(browser, base + "/devices", HARDWARE, MODEL);
            check(browser, base + "/devices/" + device, HARDWARE, MODEL);
            check(browser, base + "/anchors", NOTE, "CN=javascript:window.__xss");
            check(browser, base + "/device-groups/" + group, issuerName, "CN=javascript:window.__xss");
            assertThat(browser.visible(By.id("version-1")).getText()).as("the version history")
                    .contains(issuerName).contains("CN=javascript:window.__xss");
            check(browser, base);
            check(browser, base + "/drift", NAME);
            browser.go(base + "/endpoints/" + endpoint);
            browser.screenshot("xss-endpoint");
        }
    }

    private static void signIn(Browser browser, String token) {
        browser.go("/console/sign-in");
        browser.type(By.id("token"), token);
        browser.clickAndWaitForNewPage(By.id("sign-in"));
        browser.visible(By.id("sign-out"));
    }

    /** The page shows each text literally, holds no element a payload describes, and no payload ran. */
    private static void check(Browser browser, String path, String... texts) {
        browser.go(path);
        browser.visible(By.id("main"));
        String page = browser.text();
        for (String text : texts) {
            assertThat(page).as(path + " shows the text as written").contains(text);
        }
        assertThat(browser.script("return typeof window.__xss")).as(path + ": a payload ran").isEqualTo("undefined");
        assertThat(browser.all("img, [onerror], a[href^='javascript' i]")).as(path + ": injected elements").isEmpty();
        // the only scripts are the service's own files
        assertThat(browser.all("script:not([src])")).as(path + ": inline script").isEmpty();
        assertThat(browser.all("script[src]")).allSatisfy(s -> assertThat(s.getAttribute("src"))
                .contains("/webjars/htmx.org/"));
    }

    /** A leaf whose subject carries markup and whose subjectAltName holds a {@code javascript:} URL. */
    private static X509Certificate leaf(Cert issuer, KeyPair key) throws Exception {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Trustfleet Test")
                .addRDN(BCStyle.CN, IMG).build();
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer.subject(),
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(365))), subject, key.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, HOST),
                new GeneralName(GeneralName.uniformResourceIdentifier, JS_URL)}));
        return new JcaX509CertificateConverter().getCertificate(b.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.keyPair().getPrivate())));
    }
}
