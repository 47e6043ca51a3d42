package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.invalidRequest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Object;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X962Parameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * A corpus of malformed certificate input (PEM, DER, PKCS#7, explicit EC parameters, broken extensions, keys and
 * encodings), generated here, sent to every operation that accepts certificates: each answer is a 400 problem whose
 * detail says what is wrong in the product's own words, never a Java or Bouncy Castle class name.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class CertificateErrorDetailsApiTest {
    /** A qualified class name of an exception or error, e.g. {@code java.io.IOException}. */
    private static final Pattern CLASS_NAME = Pattern.compile("[a-z]+\\.[a-z]+\\.[A-Z]\\w*(Exception|Error)");
    private static final TestPki.Cert ISSUER = TestPki.root("Malformed Corpus Root");

    enum Operation {
        TRUST_STORE, ANCHOR, CHAIN_CHECK
    }

    private static String tenant;
    private static String admin;

    @BeforeEach
    void setUp() {
        if (tenant == null) {
            String[] t = ApiFixtures.tenantWithAdmin("cert-errors");
            tenant = t[0];
            admin = t[1];
        }
    }

    static Stream<Arguments> corpus() {
        byte[] valid = CertificateEncoder.der(ISSUER.cert());
        byte[] validPkcs7 = CertificateEncoder.toPkcs7Der(List.of(ISSUER.cert()));
        byte[] explicitEc = certificate(explicitEcKey(), null);
        List<Object[]> inputs = new ArrayList<>(List.of(
                new Object[] {"random bytes as CERTIFICATE", pem("CERTIFICATE", random(300))},
                new Object[] {"a SEQUENCE of one INTEGER", pem("CERTIFICATE", der(new DERSequence(new ASN1Integer(1))))},
                new Object[] {"a SEQUENCE of three strings", pem("CERTIFICATE", der(new DERSequence(
                        new ASN1Encodable[] {new DERUTF8String("a"), new DERUTF8String("b"), new DERUTF8String("c")})))},
                new Object[] {"a SEQUENCE of a SEQUENCE of strings", pem("CERTIFICATE", der(new DERSequence(
                        new ASN1Encodable[] {new DERSequence(new DERUTF8String("tbs")), DERNull.INSTANCE, DERNull.INSTANCE})))},
                new Object[] {"a truncated certificate", pem("CERTIFICATE", Arrays.copyOf(valid, valid.length / 2))},
                new Object[] {"a certificate with trailing bytes", pem("CERTIFICATE", concat(valid, new byte[] {5, 0}))},
                new Object[] {"a length beyond the input", pem("CERTIFICATE", new byte[] {0x30, (byte) 0x84, 0x7f,
                        0x7f, 0x7f, 0x7f, 0x02, 0x01, 0x01})},
                new Object[] {"explicit EC parameters", pem("CERTIFICATE", explicitEc)},
                new Object[] {"an RSA key that is not one", pem("CERTIFICATE", certificate(new SubjectPublicKeyInfo(
                        new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                        new byte[] {1, 2, 3}), null))},
                new Object[] {"a broken basicConstraints", pem("CERTIFICATE", certificate(
                        SubjectPublicKeyInfo.getInstance(ISSUER.keyPair().getPublic().getEncoded()),
                        new byte[] {0x30, 0x03, 0x01, 0x01}))},
                new Object[] {"random bytes as PKCS7", pem("PKCS7", random(200))},
                new Object[] {"a PKCS7 that is data", pem("PKCS7", der(new ContentInfo(CMSObjectIdentifiers.data,
                        new DEROctetString(new byte[] {1}))))},
                new Object[] {"a PKCS7 holding an INTEGER", pem("PKCS7", der(new ContentInfo(
                        CMSObjectIdentifiers.signedData, new SignedData(new DERSet(), new ContentInfo(
                                CMSObjectIdentifiers.data, null), new DERSet(new ASN1Integer(7)), null,
                                new DERSet()))))},
                new Object[] {"a PKCS7 holding explicit EC parameters", pem("PKCS7", pkcs7(explicitEc))},
                new Object[] {"a truncated PKCS7", pem("PKCS7", Arrays.copyOf(validPkcs7, validPkcs7.length - 40))},
                new Object[] {"a SignedData that is not one", pem("PKCS7", der(new ContentInfo(
                        CMSObjectIdentifiers.signedData, new DERUTF8String("x"))))},
                new Object[] {"bad base64", "-----BEGIN CERTIFICATE-----\n!!!!****\n-----END CERTIFICATE-----\n"},
                new Object[] {"BEGIN without END", "-----BEGIN CERTIFICATE-----\nMIIB\n"},
                new Object[] {"an unsupported PEM type", pem("PRIVATE KEY", random(64))},
                new Object[] {"DER-like text", "0\u0003\u0002\u0001\u0001"},
                new Object[] {"DER-like text with a long length", "0\u0084\u007f\u007f\u007f\u007f"},
                new Object[] {"no certificate at all", "not a certificate"}));
        return inputs.stream().flatMap(input -> Stream.of(Operation.values())
                .map(operation -> Arguments.of(operation, input[0], input[1])));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("corpus")
    void malformedCertificatesAreDescribedInTheProductsWords(Operation operation, String what, String input) {
        Response response = send(operation, input);
        assertThat(response.statusCode()).as("status").isEqualTo(400);
        assertThat(response.contentType()).startsWith(Problem.MEDIA_TYPE);
        String detail = response.path("detail");
        assertThat(detail).isNotBlank()
                .doesNotContain("java.").doesNotContain("javax.").doesNotContain("sun.")
                .doesNotContain("org.bouncycastle").doesNotContain("Exception");
        assertThat(CLASS_NAME.matcher(detail).find()).as("a class name in: " + detail).isFalse();
    }

    private static Response send(Operation operation, String input) {
        var request = invalidRequest().contentType(ContentType.JSON);
        return switch (operation) {
            case TRUST_STORE -> request.auth().oauth2(EmbeddedPostgresResource.OPERATOR_TOKEN)
                    .body(Map.of("name", "malformed-corpus", "platform", "android", "apiLevel", 34, "pem", input))
                    .post("/api/v1/trust-stores");
            case ANCHOR -> request.auth().oauth2(admin).body(Map.of("pem", input))
                    .post("/api/v1/tenants/{t}/anchors", tenant);
            case CHAIN_CHECK -> request.auth().oauth2(admin).body(Map.of("chain", input))
                    .post("/api/v1/tenants/{t}/chain-checks", tenant);
        };
    }

    /** A CA certificate issued by {@link #ISSUER} for {@code key}, with a raw basicConstraints value if given. */
    private static byte[] certificate(SubjectPublicKeyInfo key, byte[] basicConstraints) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        X509v3CertificateBuilder builder = new X509v3CertificateBuilder(
                X500Name.getInstance(ISSUER.cert().getSubjectX500Principal().getEncoded()), BigInteger.valueOf(7),
                Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(30, ChronoUnit.DAYS)),
                new X500Name("CN=Malformed Corpus CA"), key);
        try {
            if (basicConstraints == null) {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            } else {
                builder.addExtension(Extension.basicConstraints, true, basicConstraints);
            }
            PrivateKey signer = ISSUER.keyPair().getPrivate();
            String algorithm = signer.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return builder.build(new JcaContentSignerBuilder(algorithm).build(signer)).getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A P-256 public key whose algorithm parameters spell the curve out instead of naming it. */
    private static SubjectPublicKeyInfo explicitEcKey() {
        KeyPair pair = TestPki.keyPair(TestPki.KeyType.EC_P256);
        SubjectPublicKeyInfo named = SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded());
        X962Parameters explicit = new X962Parameters(ECNamedCurveTable.getByName("secp256r1"));
        return new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, explicit),
                named.getPublicKeyData().getBytes());
    }

    /** A certs-only SignedData holding {@code certificate} as it is. */
    private static byte[] pkcs7(byte[] certificate) {
        try {
            ASN1Object cert = org.bouncycastle.asn1.x509.Certificate.getInstance(certificate);
            return der(new ContentInfo(CMSObjectIdentifiers.signedData, new SignedData(new DERSet(),
                    new ContentInfo(CMSObjectIdentifiers.data, null), new DERSet(cert), null, new DERSet())));
        } catch (RuntimeException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] der(ASN1Object value) {
        try {
            return value.getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static byte[] random(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
