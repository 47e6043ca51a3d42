package org.trustfleet.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.PrivateKey;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.TestPki;

class KeyVaultTest {

    private final PrivateKey key = TestPki.keyPair(TestPki.KeyType.EC_P256).getPrivate();

    @Test
    void roundTripWithFreshNonceEachTime() {
        KeyVault vault = new KeyVault(MasterKey.generate());
        byte[] a = vault.encrypt("signer-1", key);
        byte[] b = vault.encrypt("signer-1", key);
        assertThat(a).isNotEqualTo(b);
        assertThat(Arrays.copyOfRange(a, 1, 13)).isNotEqualTo(Arrays.copyOfRange(b, 1, 13));
        assertThat(a[0]).isEqualTo(KeyVault.FORMAT_VERSION);
        assertThat(a).hasSize(1 + 12 + key.getEncoded().length + 16);
        PrivateKey back = vault.decrypt("signer-1", a);
        assertThat(back.getEncoded()).isEqualTo(key.getEncoded());
        assertThat(back.getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void rsaKeysWorkToo() {
        PrivateKey rsa = TestPki.keyPair(TestPki.KeyType.RSA_2048).getPrivate();
        KeyVault vault = new KeyVault(MasterKey.generate());
        assertThat(vault.decrypt("k", vault.encrypt("k", rsa)).getEncoded()).isEqualTo(rsa.getEncoded());
    }

    @Test
    void masterKeyBase64RoundTripAndValidation() {
        MasterKey m = MasterKey.generate();
        MasterKey again = MasterKey.fromBase64(" " + m.toBase64() + "\n");
        assertThat(new KeyVault(again).decrypt("k", new KeyVault(m).encrypt("k", key)).getEncoded())
                .isEqualTo(key.getEncoded());
        assertThat(again.fingerprint()).isEqualTo(m.fingerprint());
        assertThat(m.toString()).doesNotContain(m.toBase64());
        assertThatThrownBy(() -> MasterKey.fromBase64("AAAA")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> MasterKey.fromBase64("not base64!")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MasterKey.fromBase64(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void wrongMasterKeyFailsClearly() {
        byte[] sealed = new KeyVault(MasterKey.generate()).encrypt("signer-1", key);
        assertThatThrownBy(() -> new KeyVault(MasterKey.generate()).decrypt("signer-1", sealed))
                .isInstanceOf(KeyVaultException.class).hasMessageContaining("wrong master key");
    }

    @Test
    void everyTamperedByteFails() {
        KeyVault vault = new KeyVault(MasterKey.generate());
        byte[] sealed = vault.encrypt("signer-1", key);
        for (int i = 0; i < sealed.length; i++) {
            byte[] t = sealed.clone();
            t[i] ^= 0x40;
            assertThatThrownBy(() -> vault.decrypt("signer-1", t)).as("byte %d", i)
                    .isInstanceOf(KeyVaultException.class);
        }
        assertThatThrownBy(() -> vault.decrypt("signer-1", Arrays.copyOf(sealed, sealed.length - 1)))
                .isInstanceOf(KeyVaultException.class);
        assertThatThrownBy(() -> vault.decrypt("signer-1", new byte[5])).isInstanceOf(KeyVaultException.class);
        assertThatThrownBy(() -> vault.decrypt("signer-1", null)).isInstanceOf(KeyVaultException.class);
    }

    @Test
    void ciphertextBoundToKeyId() {
        KeyVault vault = new KeyVault(MasterKey.generate());
        byte[] forA = vault.encrypt("tenant-a-signer", key);
        assertThatThrownBy(() -> vault.decrypt("tenant-b-signer", forA)).isInstanceOf(KeyVaultException.class)
                .hasMessageContaining("another key id");
        assertThatThrownBy(() -> vault.encrypt("", key)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void secretsAreSealedForTheirRecordAndNeverOpenAsKeysOrForAnotherRecord() {
        KeyVault vault = new KeyVault(MasterKey.generate());
        String sealed = vault.sealSecret("channel-1", "whsec_abc");
        assertThat(sealed).doesNotContain("whsec").doesNotContain("abc");
        assertThat(vault.sealSecret("channel-1", "whsec_abc")).as("a fresh nonce each time").isNotEqualTo(sealed);
        assertThat(vault.openSecret("channel-1", sealed)).isEqualTo("whsec_abc");
        assertThatThrownBy(() -> vault.openSecret("channel-2", sealed)).isInstanceOf(KeyVaultException.class);
        assertThatThrownBy(() -> vault.decrypt("channel-1", java.util.Base64.getDecoder().decode(sealed)))
                .as("a sealed secret is not a sealed key").isInstanceOf(KeyVaultException.class);
        assertThatThrownBy(() -> new KeyVault(MasterKey.generate()).openSecret("channel-1", sealed))
                .isInstanceOf(KeyVaultException.class);
        assertThatThrownBy(() -> vault.openSecret("channel-1", "not base64!"))
                .isInstanceOf(KeyVaultException.class);
    }
}
