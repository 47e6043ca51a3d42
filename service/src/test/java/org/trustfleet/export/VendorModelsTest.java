package org.trustfleet.export;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.TestPki;

/** The vendor-model checks themselves fail on an unknown or a missing property (else they would prove nothing). */
class VendorModelsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectNode PROFILE = IntuneProfiles.profile(TestPki.root("Models Root").cert(),
            IntuneProfileType.DEVICE_OWNER, 1);

    @Test
    void anUnknownGraphPropertyFails() {
        ObjectNode body = PROFILE.deepCopy().put("trustedRootCertificates", "x");
        assertThatThrownBy(() -> VendorModels.graphProfile(body)).isInstanceOf(AssertionError.class);
    }

    @Test
    void aMissingGraphPropertyFails() {
        ObjectNode body = PROFILE.deepCopy();
        body.remove("trustedRootCertificate");
        assertThatThrownBy(() -> VendorModels.graphProfile(body)).isInstanceOf(AssertionError.class);
    }

    @Test
    void anUnknownAmapiPropertyFailsAtAnyDepth() throws Exception {
        assertThatThrownBy(() -> VendorModels.amapiPolicy(JSON.readTree("{\"cameraDisabld\": true}")))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> VendorModels.amapiPolicy(JSON.readTree(
                "{\"applications\": [{\"packageName\": \"a.b\", \"instalType\": \"FORCE_INSTALLED\"}]}")))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void aBatchRequestWithAnUnknownEnvelopeFieldFails() throws Exception {
        ObjectNode batch = (ObjectNode) JSON.readTree(
                "{\"requests\": [{\"id\": \"1\", \"method\": \"DELETE\", \"url\": \"/deviceManagement/deviceConfigurations/x\","
                        + " \"atomic\": true}]}");
        assertThatThrownBy(() -> VendorModels.graphBatch(batch)).isInstanceOf(AssertionError.class);
    }
}
