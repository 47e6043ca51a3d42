package org.trustfleet.agent;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Opens a TLS connection to an endpoint the way an app on the device would (SNI = the endpoint's server name, host
 * name checked, the given trust manager: by default the platform's, which on Android is its own validator over the
 * device's real system and user stores) and says whether the device trusts it. The trust manager is wrapped only to
 * see the chain the server sent and whether the validator (not the network) ended the handshake.
 */
public final class EndpointVerifier {

    private final X509TrustManager trust;
    private final int timeoutMillis;

    /**
     * @param trust         the validator to judge with ({@link #platformDefault()} on a device)
     * @param timeoutMillis connect and handshake timeout
     */
    public EndpointVerifier(X509TrustManager trust, int timeoutMillis) {
        if (trust == null || timeoutMillis <= 0) {
            throw new IllegalArgumentException("a trust manager and a positive timeout are needed");
        }
        this.trust = trust;
        this.timeoutMillis = timeoutMillis;
    }

    /** The platform's default trust manager (Android: system plus user CAs, network security config applied). */
    public static X509TrustManager platformDefault() {
        return fromKeyStore(null);
    }

    /** A trust manager over the anchors of {@code keyStore} (null: the platform default). */
    public static X509TrustManager fromKeyStore(KeyStore keyStore) {
        try {
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(keyStore);
            for (TrustManager tm : f.getTrustManagers()) {
                if (tm instanceof X509TrustManager) {
                    return (X509TrustManager) tm;
                }
            }
            throw new IllegalStateException("the platform has no X.509 trust manager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a trust manager: " + e.getMessage(), e);
        }
    }

    /** Checks every endpoint in order. */
    public List<EndpointCheck> verifyAll(List<PayloadEndpoint> endpoints) {
        List<EndpointCheck> out = new ArrayList<EndpointCheck>();
        for (PayloadEndpoint e : endpoints) {
            out.add(verify(e));
        }
        return out;
    }

    /** Connects once and classifies; never throws for network or TLS trouble. */
    public EndpointCheck verify(PayloadEndpoint endpoint) {
        if (!PayloadEndpoint.TLS.equals(endpoint.protocol())) {
            return unreachable(endpoint, EndpointCheck.DETAIL_UNSUPPORTED_PROTOCOL);
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(endpoint.host());
        } catch (UnknownHostException e) {
            return unreachable(endpoint, EndpointCheck.DETAIL_DNS);
        } catch (SecurityException e) {
            return unreachable(endpoint, EndpointCheck.DETAIL_DNS);
        }
        Recorder recorder = new Recorder(trust);
        Socket plain = new Socket();
        try {
            try {
                plain.connect(new InetSocketAddress(address, endpoint.port()), timeoutMillis);
            } catch (SocketTimeoutException e) {
                return unreachable(endpoint, EndpointCheck.DETAIL_TIMEOUT);
            } catch (ConnectException | NoRouteToHostException | PortUnreachableException e) {
                return unreachable(endpoint, EndpointCheck.DETAIL_REFUSED);
            } catch (IOException e) {
                return unreachable(endpoint, EndpointCheck.DETAIL_REFUSED);
            }
            plain.setSoTimeout(timeoutMillis);
            String name = endpoint.serverName() != null ? endpoint.serverName() : endpoint.host();
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {recorder}, new SecureRandom());
            SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(plain, name, endpoint.port(), true);
            try {
                SSLParameters params = tls.getSSLParameters();
                // the server name is sent as SNI and checked against the certificate, as an HTTPS client does
                params.setEndpointIdentificationAlgorithm("HTTPS");
                if (endpoint.serverName() != null && !isIpLiteral(endpoint.serverName())) {
                    params.setServerNames(Collections.<SNIServerName>singletonList(new SNIHostName(name)));
                }
                tls.setSSLParameters(params);
                tls.startHandshake();
                // never empty: what was negotiated, e.g. "TLSv1.3 TLS_AES_128_GCM_SHA256"
                return new EndpointCheck(endpoint.endpointId(), EndpointCheck.Outcome.TRUSTED,
                        tls.getSession().getProtocol() + " " + tls.getSession().getCipherSuite(), null);
            } finally {
                tls.close();
            }
        } catch (SocketTimeoutException e) {
            return unreachable(endpoint, EndpointCheck.DETAIL_TIMEOUT);
        } catch (IOException | RuntimeException | GeneralSecurityException e) {
            if (recorder.rejection != null) {
                return new EndpointCheck(endpoint.endpointId(), EndpointCheck.Outcome.UNTRUSTED,
                        reason(recorder.rejection), recorder.chain);
            }
            return unreachable(endpoint, e instanceof SSLException || e instanceof GeneralSecurityException
                    ? EndpointCheck.DETAIL_TLS_ERROR : EndpointCheck.DETAIL_REFUSED);
        } finally {
            try {
                plain.close();
            } catch (IOException ignored) {
                // the verdict is already made
            }
        }
    }

    private static boolean isIpLiteral(String name) {
        return name.indexOf(':') >= 0 || name.matches("[0-9.]+");
    }

    private static EndpointCheck unreachable(PayloadEndpoint e, String detail) {
        return new EndpointCheck(e.endpointId(), EndpointCheck.Outcome.UNREACHABLE, detail, null);
    }

    /** The validator's own words: the innermost message of the rejection. */
    static String reason(Throwable t) {
        String message = null;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isEmpty()) {
                message = c.getClass().getSimpleName() + ": " + c.getMessage();
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return message == null ? t.getClass().getSimpleName() : message;
    }

    /** Sees the chain the server sent and whether the validator rejected it; the verdict stays the delegate's. */
    private static final class Recorder extends X509ExtendedTrustManager {
        private final X509TrustManager delegate;
        volatile List<byte[]> chain = Collections.emptyList();
        volatile CertificateException rejection;

        Recorder(X509TrustManager delegate) {
            this.delegate = delegate;
        }

        private void record(X509Certificate[] certs) {
            List<byte[]> c = new ArrayList<byte[]>();
            for (X509Certificate x : certs == null ? new X509Certificate[0] : certs) {
                c.add(Certs.der(x));
            }
            chain = c;
        }

        private CertificateException rejected(CertificateException e) {
            rejection = e;
            return e;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] certs, String authType, Socket socket)
                throws CertificateException {
            record(certs);
            try {
                if (delegate instanceof X509ExtendedTrustManager) {
                    ((X509ExtendedTrustManager) delegate).checkServerTrusted(certs, authType, socket);
                } else {
                    delegate.checkServerTrusted(certs, authType);
                }
            } catch (CertificateException e) {
                throw rejected(e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
                throws CertificateException {
            record(certs);
            try {
                if (delegate instanceof X509ExtendedTrustManager) {
                    ((X509ExtendedTrustManager) delegate).checkServerTrusted(certs, authType, engine);
                } else {
                    delegate.checkServerTrusted(certs, authType);
                }
            } catch (CertificateException e) {
                throw rejected(e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] certs, String authType) throws CertificateException {
            record(certs);
            try {
                delegate.checkServerTrusted(certs, authType);
            } catch (CertificateException e) {
                throw rejected(e);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] certs, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("client certificates are not checked here");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("client certificates are not checked here");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] certs, String authType) throws CertificateException {
            throw new CertificateException("client certificates are not checked here");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
