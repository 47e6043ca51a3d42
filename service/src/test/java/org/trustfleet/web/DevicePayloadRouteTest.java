package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The payload route's content negotiation: the most specific matching {@code Accept} range decides. */
class DevicePayloadRouteTest {

    @ParameterizedTest(name = "[{0}] admits the payload: {1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "NULL                                            | true",
        "''                                              | true",
        "*/*                                             | true",
        "application/*                                   | true",
        "application/pkcs7-mime                          | true",
        "APPLICATION/PKCS7-MIME                          | true",
        "text/plain, application/pkcs7-mime;q=0.1        | true",
        "application/*;q=0.5                             | true",
        "application/pkcs7-mime; q=0.001                 | true",
        "text/html                                       | false",
        "application/json                                | false",
        "application/pkcs7-mime;q=0                      | false",
        "application/pkcs7-mime;q=0.000, text/plain      | false",
        "application/pkcs7-mime;q=0, */*                 | false",
        "*/*, application/*;q=0                          | false",
        "application/*;q=0, application/pkcs7-mime       | true",
        "*/*;q=0                                         | false",
    })
    void acceptHeader(String accept, boolean admits) {
        assertThat(DevicePayloadRoute.acceptsPayload(accept)).isEqualTo(admits);
    }
}
