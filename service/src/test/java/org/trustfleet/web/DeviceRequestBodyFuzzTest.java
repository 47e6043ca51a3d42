package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.io.CharConversionException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.trustfleet.device.DeviceReportInput;
import org.trustfleet.device.EnrollmentRequest;
import org.trustfleet.device.ReportedFailure;
import org.trustfleet.pki.Sha256;
import org.trustfleet.pki.TestPki;
import org.trustfleet.testing.FuzzSeeds;
import org.trustfleet.testing.ServiceJson;

/**
 * Fuzzes the JSON bodies a device sends ({@code POST /enroll}, {@code POST /device/reports}) through what the
 * service does with them before any database work: Jackson with the service's configuration, then the input
 * records' Bean Validation constraints, then the fingerprint reading of a report. The first input byte picks the
 * body type. Whatever the bytes: a Jackson exception or an undecodable character encoding (both the API's 400
 * {@code malformed-request}), constraint violations (400 {@code validation}) or a body the service can use; nothing
 * else, within the per-input timeout and the fuzz JVM's bounded heap. (The committed finding, a body Jackson reads
 * as UTF-32, was answered 500 until {@code ProblemMapper} mapped it; see {@code RequestBodyEncodingApiTest}.)
 */
class DeviceRequestBodyFuzzTest {
    private static final String METHOD = "readBody";
    private static final List<Class<?>> BODIES = List.of(EnrollmentRequest.class, DeviceReportInput.class);

    private static ObjectMapper mapper;
    private static Validator validator;

    @BeforeAll
    static void seeds() {
        mapper = ServiceJson.mapper();
        validator = ServiceJson.validator();
        String sha = TestPki.root("Fuzz Report Root").sha256();
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("enroll", body(0, """
                {"enrollmentToken":"tfe_abc","hardwareId":"hw-1","apiLevel":33,"model":"Pixel 7",\
                "agentVersion":"acme-dpc/4.2"}"""));
        seeds.put("enroll-minimal", body(0, "{\"enrollmentToken\":\"tfe_x\",\"hardwareId\":\"h\",\"apiLevel\":1}"));
        seeds.put("report", body(1, "{\"payloadVersion\":42,\"installed\":[\"" + sha + "\"],\"failures\":[{\"sha256\":\""
                + sha + "\",\"error\":\"installCaCert returned false\"}],\"apiLevel\":33}"));
        seeds.put("report-empty", body(1, "{\"payloadVersion\":0,\"installed\":[],\"apiLevel\":100}"));
        FuzzSeeds.write(DeviceRequestBodyFuzzTest.class, METHOD, seeds);
    }

    @FuzzTest(maxDuration = "60s")
    void readBody(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        Class<?> type = BODIES.get(Math.floorMod(input[0], BODIES.size()));
        Object body;
        try {
            body = mapper.readValue(Arrays.copyOfRange(input, 1, input.length), type);
        } catch (JsonProcessingException | CharConversionException malformed) {
            return; // 400 malformed-request (ProblemMapper)
        }
        if (body == null) {
            return; // a JSON null body: 400 "a JSON request body is required" (Bodies.required)
        }
        Set<ConstraintViolation<Object>> violations = validator.validate(body);
        for (ConstraintViolation<Object> violation : violations) {
            assertThat(violation.getPropertyPath().toString()).isNotEmpty();
            assertThat(violation.getMessage()).isNotBlank();
        }
        if (violations.isEmpty() && body instanceof DeviceReportInput report) {
            // the service reads each entry as a fingerprint and answers 400 for one that is not
            report.installed().forEach(Sha256::parse);
            if (report.failures() != null) {
                report.failures().stream().map(ReportedFailure::sha256).forEach(Sha256::parse);
            }
        }
    }

    private static byte[] body(int type, String json) {
        byte[] text = json.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[text.length + 1];
        out[0] = (byte) type;
        System.arraycopy(text, 0, out, 1, text.length);
        return out;
    }
}
