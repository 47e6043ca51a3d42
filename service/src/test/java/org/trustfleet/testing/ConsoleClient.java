package org.trustfleet.testing;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A browser's side of the console for HTTP-level tests: it fetches the sign-in form (and its double-submit cookie),
 * posts the token, keeps the session cookie and reads the CSRF token from a page, as a browser would. The console is
 * HTML, not part of the API contract, so these exchanges are not held to openapi.yaml.
 */
public final class ConsoleClient {
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    private ConsoleClient() {}

    /** A signed-in console session: its cookie and the CSRF token its pages carry. */
    public record Session(String cookie, String csrf) {
        /** A request carrying the session cookie, not following redirects. */
        public RequestSpecification request() {
            return RestAssured.given().redirects().follow(false).cookie("tf_session", cookie);
        }
    }

    /** The sign-in form: its double-submit cookie and the same value in the page. */
    public record SignInForm(String cookie, String csrf) {}

    public static SignInForm signInForm() {
        Response page = RestAssured.given().redirects().follow(false).get("/console/sign-in");
        if (page.statusCode() != 200) {
            throw new AssertionError("sign-in page answered " + page.statusCode());
        }
        return new SignInForm(page.getCookie("tf_sign_in"), csrfOf(page.asString()));
    }

    /** Posts the sign-in form with the token; the raw response (303 on success). */
    public static Response postSignIn(String token) {
        SignInForm form = signInForm();
        return RestAssured.given().redirects().follow(false).cookie("tf_sign_in", form.cookie())
                .formParam("token", token).formParam("csrf", form.csrf()).post("/console/sign-in");
    }

    /** Signs in and reads the session's CSRF token from the landing page (a tenant's overview or the picker). */
    public static Session signIn(String token) {
        Response r = postSignIn(token);
        if (r.statusCode() != 303) {
            throw new AssertionError("sign-in answered " + r.statusCode() + ": " + r.asString());
        }
        String cookie = r.getCookie("tf_session");
        Response landing = RestAssured.given().cookie("tf_session", cookie).get("/console");
        if (landing.statusCode() != 200) {
            throw new AssertionError("landing page answered " + landing.statusCode());
        }
        return new Session(cookie, csrfOf(landing.asString()));
    }

    public static String csrfOf(String html) {
        Matcher m = CSRF.matcher(html);
        if (!m.find()) {
            throw new AssertionError("no CSRF field in the page:\n" + html);
        }
        return m.group(1);
    }
}
