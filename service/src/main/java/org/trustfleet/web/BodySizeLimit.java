package org.trustfleet.web;

import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.FilterInputStream;
import java.io.IOException;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.core.TrustfleetException;

/**
 * Enforces {@code trustfleet.api.max-body-bytes} on bodies without a Content-Length (chunked), which the access
 * filter cannot check up front: reading past the limit fails with 413.
 */
@Provider
public class BodySizeLimit implements ReaderInterceptor {
    // providers are created at static init, before runtime configuration exists: look it up per request
    private final Instance<TrustfleetConfig> config;

    public BodySizeLimit(Instance<TrustfleetConfig> config) {
        this.config = config;
    }

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        long limit = config.get().api().maxBodyBytes();
        context.setInputStream(new FilterInputStream(context.getInputStream()) {
            private long read;

            @Override
            public int read() throws IOException {
                int b = super.read();
                count(b < 0 ? 0 : 1);
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                count(Math.max(n, 0));
                return n;
            }

            private void count(int n) {
                read += n;
                if (read > limit) {
                    throw new TrustfleetException(ErrorKind.PAYLOAD_TOO_LARGE,
                            "request body exceeds the limit of " + limit + " bytes");
                }
            }
        });
        return context.proceed();
    }
}
