package org.trustfleet.pki;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.security.cert.X509Certificate;
import java.security.spec.AlgorithmParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Certificate signature checks remembered across computations. Whether a key verifies a signature over some data is a
 * pure function of the algorithm, its parameters, the key, the data and the signature, yet every recompute after a
 * platform store change checked each endpoint's leaf again on a freshly decoded certificate: with a leaf of its own
 * per endpoint that was 60 % of the sweep's CPU at 100,000 endpoints (one ECDSA verification each). A verdict is kept
 * by the SHA-256 of those five inputs, so a different certificate, key or signature is a different key and never gets
 * another's answer.
 *
 * <p>The checks reach it as a JCA signature provider ({@link #PROVIDER}, installed by {@link #install}) that the path
 * builder's signature checks ({@link Certificates#verifies}) and the validator's PKIX run
 * ({@code PKIXParameters.setSigProvider}) name: the JDK's PKIX validation of a path then asks it too, unchanged
 * otherwise. It offers every signature algorithm the other installed providers offer, and verifies with them; it never
 * signs. Until {@link #install} (plain tests, the command line) nothing names it and every check is made.
 */
public final class SignatureVerdicts {
    /** The provider's name, as {@code PKIXParameters.setSigProvider} and {@code X509Certificate.verify} take it. */
    public static final String PROVIDER = "TrustfleetSignatureVerdicts";

    /**
     * Where the verdicts are kept: the caller's, shared by every thread (the service's is a bounded cache in front of
     * a table its replicas share: {@code truststore.SignatureVerdictCache}).
     */
    public interface Memory {
        /** The verdict kept for the key, or null. */
        Boolean find(Key key);

        /** Keeps a verdict. */
        void keep(Key key, boolean verifies);
    }

    /** A verdict's key: the SHA-256 of what it is a function of, as four longs (48 bytes on the heap, not 300). */
    public record Key(long a, long b, long c, long d) {
        /** The key of a SHA-256 (32 bytes), as {@link #bytes} gives it: how a verdict is stored. */
        public static Key of(byte[] sha256) {
            if (sha256.length != 32) {
                throw new IllegalArgumentException("a verdict key is a SHA-256 (32 bytes), not " + sha256.length);
            }
            ByteBuffer b = ByteBuffer.wrap(sha256);
            return new Key(b.getLong(), b.getLong(), b.getLong(), b.getLong());
        }

        /** The SHA-256 this key is. */
        public byte[] bytes() {
            return ByteBuffer.allocate(32).putLong(a).putLong(b).putLong(c).putLong(d).array();
        }
    }

    /**
     * The key of a verdict: the SHA-256 of the algorithm (its standard name, as the provider offering it gives it),
     * its parameters, the key's encoding, the signed bytes and the signature, each length-prefixed so that no two
     * different inputs hash alike.
     */
    public static Key keyOf(String algorithm, AlgorithmParameterSpec parameters, PublicKey key, byte[] signed,
            byte[] signature) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            field(d, algorithm.getBytes(StandardCharsets.UTF_8));
            field(d, parameters == null ? new byte[0] : parameterBytes(algorithm, parameters));
            byte[] encodedKey = key.getEncoded();  // a copy per call: taken once
            field(d, encodedKey == null ? new byte[0] : encodedKey);
            field(d, signed);
            field(d, signature);
            return Key.of(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    private static void field(MessageDigest d, byte[] bytes) {
        d.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        d.update(bytes);
    }

    private static byte[] parameterBytes(String algorithm, AlgorithmParameterSpec parameters) {
        // the parameter specs have no encoding of their own; their algorithm's parameters do, else their text
        try {
            AlgorithmParameters p = AlgorithmParameters.getInstance(algorithm);
            p.init(parameters);
            return p.getEncoded();
        } catch (Exception e) {
            return (parameters.getClass().getName() + ":" + parameters).getBytes(StandardCharsets.UTF_8);
        }
    }

    private static volatile VerdictProvider installed;

    private SignatureVerdicts() {
    }

    /**
     * Installs the provider with {@code memory}: this class's checks name it from then on. A later call replaces the
     * memory. One provider of the name is registered at a time: installing replaces one registered by another copy
     * of this class (an application started again in the same JVM, with classes of its own), whose checks then use
     * the default providers. Signature algorithms of providers registered after this are not offered.
     */
    public static synchronized void install(Memory memory) {
        java.util.Objects.requireNonNull(memory, "memory");
        if (installed != null && Security.getProvider(PROVIDER) == installed) {
            installed.memory = memory;
            return;
        }
        Security.removeProvider(PROVIDER);
        VerdictProvider provider = new VerdictProvider(memory);
        Security.addProvider(provider);  // last: never the one a plain getInstance finds first
        installed = provider;
    }

    /** Removes the provider this class installed (the application stops): every check is made again. */
    public static synchronized void uninstall() {
        if (installed != null && Security.getProvider(PROVIDER) == installed) {
            Security.removeProvider(PROVIDER);
        }
        installed = null;
    }

    /**
     * A provider with {@code memory} that is not registered: what {@code Signature.getInstance(algorithm, provider)}
     * takes, for checking how it answers without changing the JVM's providers.
     */
    static Provider unregistered(Memory memory) {
        return new VerdictProvider(memory);
    }

    /**
     * The provider to name in the check of {@code certificate}'s signature, or null (the default providers): before
     * {@link #install}, after another copy of this class installed its own, or for an algorithm it does not offer
     * (one of a provider registered after it).
     */
    static String providerFor(X509Certificate certificate) {
        VerdictProvider provider = installed;
        return provider != null && provider.getService("Signature", certificate.getSigAlgName()) != null
                && Security.getProvider(PROVIDER) == provider ? PROVIDER : null;
    }

    /** The provider: each signature algorithm of the others, verifying through them and remembering the verdicts. */
    private static final class VerdictProvider extends Provider {
        private volatile Memory memory;

        VerdictProvider(Memory memory) {
            super(PROVIDER, "1.0", "remembered certificate signature verdicts");
            this.memory = memory;
            // algorithm -> its aliases (OIDs among them), from every other provider offering it: a certificate's
            // algorithm is asked for by the name the JDK gives it, which may be any of these
            Map<String, List<String>> algorithms = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (Provider p : Security.getProviders()) {
                for (Provider.Service s : p.getServices()) {
                    if (s.getType().equals("Signature")) {
                        algorithms.computeIfAbsent(s.getAlgorithm(), a -> new ArrayList<>());
                    }
                }
            }
            for (Provider p : Security.getProviders()) {
                for (String property : p.stringPropertyNames()) {
                    if (property.startsWith("Alg.Alias.Signature.")) {
                        String alias = property.substring("Alg.Alias.Signature.".length());
                        List<String> aliases = algorithms.get(p.getProperty(property));
                        if (aliases != null && !algorithms.containsKey(alias)
                                && aliases.stream().noneMatch(alias::equalsIgnoreCase)) {
                            aliases.add(alias);
                        }
                    }
                }
            }
            algorithms.forEach((algorithm, aliases) -> putService(new VerdictService(this, algorithm, aliases)));
        }
    }

    /** One algorithm's service: a fresh {@link VerdictSpi} per {@code Signature.getInstance}. */
    private static final class VerdictService extends Provider.Service {
        private final VerdictProvider provider;

        VerdictService(VerdictProvider provider, String algorithm, List<String> aliases) {
            super(provider, "Signature", algorithm, VerdictSpi.class.getName(), aliases, null);
            this.provider = provider;
        }

        @Override
        public Object newInstance(Object constructorParameter) {
            return new VerdictSpi(getAlgorithm(), provider.memory);
        }

        @Override
        public boolean supportsParameter(Object parameter) {
            return parameter instanceof PublicKey;
        }
    }

    /**
     * Verification only: keeps the data, and at {@code verify} answers from the memory or verifies with the first other
     * provider that takes the key (with the parameters set before), then keeps the answer.
     */
    private static final class VerdictSpi extends SignatureSpi {
        private final String algorithm;
        private final Memory memory;
        private final java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream(1024);
        private PublicKey key;
        private AlgorithmParameterSpec parameters;

        VerdictSpi(String algorithm, Memory memory) {
            this.algorithm = algorithm;
            this.memory = memory;
        }

        @Override
        protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
            if (publicKey == null) {
                throw new InvalidKeyException("no key");
            }
            key = publicKey;
            data.reset();
        }

        @Override
        protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
            throw new InvalidKeyException(PROVIDER + " only verifies");
        }

        @Override
        protected void engineUpdate(byte b) {
            data.write(b);
        }

        @Override
        protected void engineUpdate(byte[] b, int off, int len) {
            data.write(b, off, len);
        }

        @Override
        protected byte[] engineSign() throws SignatureException {
            throw new SignatureException(PROVIDER + " only verifies");
        }

        @Override
        protected boolean engineVerify(byte[] signature) throws SignatureException {
            if (key == null) {
                throw new SignatureException("not initialised for verification");
            }
            byte[] signed = data.toByteArray();
            data.reset();
            Key id = keyOf(algorithm, parameters, key, signed, signature);
            Boolean known = memory.find(id);
            if (known != null) {
                return known;
            }
            boolean verifies = verify(signed, signature);
            memory.keep(id, verifies);
            return verifies;
        }

        /** The check itself, by the first other provider that takes the key and parameters; a bad signature is false. */
        private boolean verify(byte[] signed, byte[] signature) throws SignatureException {
            Exception last = null;
            for (Provider p : Security.getProviders("Signature." + algorithm)) {
                if (p.getName().equals(PROVIDER)) {
                    continue;
                }
                Signature s;
                try {
                    s = Signature.getInstance(algorithm, p);
                    if (parameters != null) {
                        s.setParameter(parameters);
                    }
                    s.initVerify(key);
                } catch (NoSuchAlgorithmException | InvalidKeyException | InvalidAlgorithmParameterException
                        | InvalidParameterException | UnsupportedOperationException e) {
                    last = e;
                    continue;  // this provider does not take the key: the next may
                }
                s.update(signed);
                try {
                    return s.verify(signature);
                } catch (SignatureException e) {
                    return false;  // a malformed signature does not verify, as for the default providers' callers
                }
            }
            throw new SignatureException("no provider verifies " + algorithm + " with this key", last);
        }

        @Override
        protected void engineSetParameter(AlgorithmParameterSpec params) throws InvalidAlgorithmParameterException {
            parameters = params;
        }

        @Override
        @Deprecated
        protected void engineSetParameter(String param, Object value) throws InvalidParameterException {
            throw new InvalidParameterException("not supported");
        }

        @Override
        @Deprecated
        protected Object engineGetParameter(String param) throws InvalidParameterException {
            throw new InvalidParameterException("not supported");
        }
    }
}
