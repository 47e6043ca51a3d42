package org.trustfleet.testing;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.restassured.RestAssuredRequest;
import com.atlassian.oai.validator.restassured.RestAssuredResponse;
import io.restassured.RestAssured;
import io.restassured.filter.FilterContext;
import io.restassured.filter.OrderedFilter;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Path;

/**
 * Every REST Assured exchange of the suite goes through {@link #api()}, which checks request and response against
 * {@code openapi.yaml}; a mismatch fails the test.
 *
 * <p>Tests that send a deliberately invalid request use {@link #invalidRequest()}: the request is then not held to
 * the contract (it is meant to break it), but the response still is.
 */
public final class Contract {
    static final String INVALID_MARK = "X-Test-Invalid-Request";

    private static final OpenApiInteractionValidator VALIDATOR = OpenApiInteractionValidator
            .createForSpecificationUrl(Path.of("..", "openapi.yaml").toAbsolutePath().toUri().toString())
            .withLevelResolver(LevelResolver.create()
                    // some endpoints accept any client-chosen extra query parameter such as cache busters
                    .withLevel("validation.request.parameter.query.unexpected", ValidationReport.Level.IGNORE)
                    .build())
            .build();

    /**
     * For deliberately invalid requests: a path or method that the contract does not have has no response to
     * check against (the tests then assert the problem document themselves).
     */
    private static final OpenApiInteractionValidator RESPONSE_ONLY = OpenApiInteractionValidator
            .createForSpecificationUrl(Path.of("..", "openapi.yaml").toAbsolutePath().toUri().toString())
            .withLevelResolver(LevelResolver.create()
                    .withLevel("validation.request.path.missing", ValidationReport.Level.IGNORE)
                    .withLevel("validation.request.operation.notAllowed", ValidationReport.Level.IGNORE)
                    .build())
            .build();

    private static final OrderedFilter FILTER = new OrderedFilter() {
        @Override
        public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification response,
                FilterContext context) {
            boolean requestMeantInvalid = request.getHeaders().hasHeaderWithName(INVALID_MARK);
            Response result = context.next(request, response);
            Request req = RestAssuredRequest.of(request);
            ValidationReport report = requestMeantInvalid
                    ? RESPONSE_ONLY.validateResponse(req.getPath(), req.getMethod(), RestAssuredResponse.of(result))
                    : VALIDATOR.validate(req, RestAssuredResponse.of(result));
            if (report.hasErrors()) {
                throw new AssertionError("exchange " + req.getMethod() + " " + req.getPath()
                        + " breaks openapi.yaml:\n" + report.getMessages());
            }
            return result;
        }

        @Override
        public int getOrder() {
            return HIGHEST_PRECEDENCE;
        }
    };

    private Contract() {}

    /** A request held, with its response, to the contract. */
    public static RequestSpecification api() {
        return RestAssured.given().filter(FILTER);
    }

    /** A request that deliberately breaks the contract; only its response is held to it. */
    public static RequestSpecification invalidRequest() {
        return api().header(INVALID_MARK, "true");
    }

    public static RequestSpecification asOperator() {
        return api().auth().oauth2(EmbeddedPostgresResource.OPERATOR_TOKEN);
    }

    public static RequestSpecification as(String token) {
        return api().auth().oauth2(token);
    }
}
