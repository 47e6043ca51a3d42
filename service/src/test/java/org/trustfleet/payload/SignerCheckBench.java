package org.trustfleet.payload;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;

/**
 * Benchmark of the key-pair check a replica makes on every tenant signer it loads ({@link SigningAuthority#keyMatches}),
 * against the check it replaced in the same run: an ECDSA signature of a random probe verified with the public key.
 * Distinct P-256 key pairs (one per tenant), the two checks taking turns round by round; the first round is what a
 * replica that has just started pays (code not compiled yet), the later ones its steady state.
 *
 * <pre>java -cp service/target/classes:service/target/test-classes:CLASSPATH org.trustfleet.payload.SignerCheckBench</pre>
 *
 * Optional arguments: keys per round (default 1000), rounds (default 8).
 */
public final class SignerCheckBench {
    private static final SecureRandom RANDOM = new SecureRandom();

    private SignerCheckBench() {}

    /** The check before: sign a random probe, verify the signature. */
    static boolean signAndVerify(PrivateKey privateKey, PublicKey publicKey) throws GeneralSecurityException {
        byte[] probe = new byte[32];
        RANDOM.nextBytes(probe);
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(privateKey);
        s.update(probe);
        byte[] signature = s.sign();
        Signature v = Signature.getInstance("SHA256withECDSA");
        v.initVerify(publicKey);
        v.update(probe);
        return v.verify(signature);
    }

    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair[] pairs = new KeyPair[keys * 2];
        for (int i = 0; i < pairs.length; i++) {
            pairs[i] = g.generateKeyPair();
        }
        System.out.printf("%d distinct P-256 key pairs per round and check, %d rounds; microseconds per check%n",
                keys, rounds);
        for (int round = 1; round <= rounds; round++) {
            // each check its own keys, and the order of the two alternating, so that neither always goes first
            int before = round % 2 == 1 ? 0 : keys;
            int after = keys - before;
            boolean beforeFirst = round % 2 == 1;
            double[] micros = new double[2];
            for (int turn = 0; turn < 2; turn++) {
                boolean old = (turn == 0) == beforeFirst;
                int from = old ? before : after;
                int matched = 0;
                long t0 = System.nanoTime();
                for (int i = from; i < from + keys; i++) {
                    boolean ok = old ? signAndVerify(pairs[i].getPrivate(), pairs[i].getPublic())
                            : SigningAuthority.keyMatches(pairs[i].getPrivate(), pairs[i].getPublic());
                    matched += ok ? 1 : 0;
                }
                micros[old ? 0 : 1] = (System.nanoTime() - t0) / 1e3 / keys;
                if (matched != keys) {
                    throw new IllegalStateException("a pair did not match: " + (keys - matched));
                }
            }
            System.out.printf("round %d (%s first): sign and verify %.1f, public point from the private key %.1f%n",
                    round, beforeFirst ? "sign and verify" : "public point", micros[0], micros[1]);
        }
    }
}
