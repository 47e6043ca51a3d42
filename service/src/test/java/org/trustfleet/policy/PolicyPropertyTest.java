package org.trustfleet.policy;

import org.trustfleet.pki.ConscryptOracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import org.trustfleet.pki.Certificates;
import org.trustfleet.pki.StoreIndex;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;

/**
 * Over random PKIs (1-3 intermediates, cross-signed roots, omitted intermediates, stores differing by API level,
 * private anchors, several endpoints, includes and excludes), checks the engine's result against Android's own
 * trust manager: (a) every (endpoint, level) not listed as unresolved is accepted with store + delivered set;
 * (b) every delivered certificate other than includes is necessary; (c) nothing delivered is expired, not yet valid
 * or not a CA. The world is generated from one seed so a failure is reproducible from jqwik's report.
 */
class PolicyPropertyTest {

    static final PolicyEngine ENGINE = PolicyEngine.create();
    static final int[] LEVELS = {21, 24, 28, 33};

    /** One generated world. */
    static final class World {
        final Map<Integer, List<X509Certificate>> stores = new TreeMap<>();
        final List<X509Certificate> tenantAnchors = new ArrayList<>();
        final List<EndpointObservation> observations = new ArrayList<>();
        final List<Cert> cas = new ArrayList<>();
        final Map<String, X509Certificate> includes = new HashMap<>();
        GroupSpec group;
        final StringBuilder story = new StringBuilder();
    }

    @Property(tries = 100, shrinking = ShrinkingMode.OFF)
    void deliveredSetIsSufficientNecessaryAndSafe(@ForAll long seed) {
        World w = generate(new Random(seed));
        Instant now = Instant.now();
        StoreIndex stores = StoreIndex.of(w.stores);
        Requirements r = EngineFixture.requirements(ENGINE, w.group, w.observations, stores, w.tenantAnchors,
                w.includes, now);
        assertThat(EngineFixture.requirements(ENGINE, w.group, w.observations, stores, w.tenantAnchors, w.includes,
                now))
                .as("deterministic").isEqualTo(r);
        String context = w.story + "result:\n" + describe(r);

        // (c) nothing unsafe delivered
        for (RequiredCertificate c : r.certificates()) {
            assertThat(Certificates.isValidAt(c.certificate(), now)).as(context).isTrue();
            assertThat(Certificates.isCaCertificate(c.certificate())).as(context).isTrue();
        }
        Set<String> unresolvedPairs = new HashSet<>();
        r.unresolved().forEach(u -> u.apiLevels().forEach(l -> unresolvedPairs.add(u.endpointId() + "@" + l)));
        List<X509Certificate> delivered = r.certificates().stream().map(RequiredCertificate::certificate).toList();

        List<X509Certificate> withoutIncludes = r.certificates().stream()
                .filter(c -> !w.group.includeSha256().contains(c.sha256()))
                .map(RequiredCertificate::certificate).toList();
        // (a) sufficient: every pair not unresolved is accepted by Conscrypt
        List<int[]> checked = new ArrayList<>();
        for (int oi = 0; oi < w.observations.size(); oi++) {
            EndpointObservation o = w.observations.get(oi);
            for (int level : LEVELS) {
                if (level < w.group.minApiLevel() || level > w.group.maxApiLevel()) {
                    continue;
                }
                if (unresolvedPairs.contains(o.endpointId() + "@" + level)) {
                    // Unresolved must be true: not even the delivered certificates that were candidates of this
                    // endpoint (its chain, the shared pool of known intermediates and includes, anchors, stores) fix it.
                    Set<X509Certificate> own = new HashSet<>(o.presented());
                    w.observations.forEach(x -> own.addAll(x.extraCandidates()));
                    own.addAll(w.includes.values());
                    own.addAll(w.tenantAnchors);
                    w.stores.values().forEach(own::addAll);
                    List<X509Certificate> known = withoutIncludes.stream().filter(own::contains).toList();
                    assertThat(o.status() == ObservationStatus.OK && ConscryptOracle.accepts(o.presented(),
                            union(w.stores.get(level), known), o.hostname()))
                            .as("listed unresolved but accepted: " + o.endpointId() + "@" + level + "\n" + context)
                            .isFalse();
                    continue;
                }
                assertThat(o.status()).isEqualTo(ObservationStatus.OK);
                assertThat(ConscryptOracle.accepts(o.presented(), union(w.stores.get(level), delivered),
                        o.hostname())).as("rejected " + o.endpointId() + "@" + level + ": "
                                + ConscryptOracle.reject(o.presented(), union(w.stores.get(level), delivered))
                                + "\n" + context).isTrue();
                checked.add(new int[] {oi, level});
            }
        }
        // (b) necessary: removing any non-include certificate breaks at least one checked pair
        for (RequiredCertificate c : r.certificates()) {
            if (w.group.includeSha256().contains(c.sha256())) {
                continue;
            }
            List<X509Certificate> without = new ArrayList<>(delivered);
            without.remove(c.certificate());
            boolean breaks = false;
            for (int[] pair : checked) {
                EndpointObservation o = w.observations.get(pair[0]);
                if (!ConscryptOracle.accepts(o.presented(), union(w.stores.get(pair[1]), without), o.hostname())) {
                    breaks = true;
                    break;
                }
            }
            assertThat(breaks).as("redundant " + c.sha256() + " " + c.subject() + "\n" + context).isTrue();
        }
    }

    static String describe(Requirements r) {
        StringBuilder sb = new StringBuilder();
        r.certificates().forEach(c -> sb.append("  deliver ").append(c.subject()).append(' ').append(c.reasons())
                .append('\n'));
        r.unresolved().forEach(u -> sb.append("  unresolved ").append(u.endpointId()).append(' ')
                .append(u.apiLevels()).append(' ').append(u.code()).append(' ').append(u.detail()).append('\n'));
        r.advice().forEach(a -> sb.append("  advice ").append(a.code()).append(' ').append(a.endpointId())
                .append('\n'));
        return sb.toString();
    }

    static List<X509Certificate> union(List<X509Certificate> a, List<X509Certificate> b) {
        List<X509Certificate> u = new ArrayList<>(a);
        u.addAll(b);
        return u;
    }

    static World generate(Random rnd) {
        World w = new World();
        for (int l : LEVELS) {
            w.stores.put(l, new ArrayList<>());
        }
        // public roots present on a random interval of levels
        List<Cert> roots = new ArrayList<>();
        int publicRoots = 2 + rnd.nextInt(3);
        for (int i = 0; i < publicRoots; i++) {
            Cert root = TestPki.root("Root " + i);
            roots.add(root);
            w.cas.add(root);
            int from = rnd.nextInt(LEVELS.length);
            int to = rnd.nextBoolean() ? LEVELS.length - 1 : from + rnd.nextInt(LEVELS.length - from);
            for (int k = from; k <= to; k++) {
                w.stores.get(LEVELS[k]).add(root.cert());
            }
            w.story.append("root ").append(i).append(" in levels ").append(LEVELS[from]).append("..")
                    .append(LEVELS[to]).append('\n');
        }
        if (rnd.nextBoolean()) {
            Cert priv = TestPki.root("Private Root");
            roots.add(priv);
            w.cas.add(priv);
            w.tenantAnchors.add(priv.cert());
            w.story.append("private root (tenant anchor)\n");
        }
        // cross-signatures: root i also issued by root j
        Map<Cert, List<Cert>> crosses = new LinkedHashMap<>();
        if (rnd.nextInt(10) < 5) {
            Cert a = roots.get(rnd.nextInt(roots.size()));
            Cert b = roots.get(rnd.nextInt(roots.size()));
            if (a != b) {
                Cert cross = a.crossSignedBy(b);
                crosses.computeIfAbsent(a, k -> new ArrayList<>()).add(cross);
                w.cas.add(cross);
                w.story.append("cross: ").append(a.subject()).append(" by ").append(b.subject()).append('\n');
            }
        }
        // hierarchies, shared between endpoints with some probability
        List<List<Cert>> hierarchies = new ArrayList<>();
        int endpoints = 2 + rnd.nextInt(3);
        for (int e = 0; e < endpoints; e++) {
            List<Cert> chain; // root first, then intermediates downwards
            if (!hierarchies.isEmpty() && rnd.nextInt(10) < 4) {
                chain = hierarchies.get(rnd.nextInt(hierarchies.size()));
            } else {
                chain = new ArrayList<>();
                Cert top = roots.get(rnd.nextInt(roots.size()));
                chain.add(top);
                int depth = 1 + rnd.nextInt(3);
                for (int d = 0; d < depth; d++) {
                    Cert parent = chain.get(chain.size() - 1);
                    TestPki.Builder b = parent.intermediate("CA " + hierarchies.size() + "." + d);
                    if (rnd.nextInt(20) == 0) {
                        b.expired();
                    }
                    Cert ca = b.build();
                    chain.add(ca);
                    w.cas.add(ca);
                    if (rnd.nextInt(4) == 0 && !w.tenantAnchors.isEmpty() && top.cert() == w.tenantAnchors.get(0)) {
                        w.tenantAnchors.add(ca.cert()); // a tenant may register its issuing CA too
                    }
                }
                hierarchies.add(chain);
            }
            String host = "ep" + e + ".example.test";
            w.story.append("ep").append(e).append(" = ").append(UUID.nameUUIDFromBytes(host.getBytes(StandardCharsets.UTF_8))).append('\n');
            UUID id = UUID.nameUUIDFromBytes(host.getBytes(StandardCharsets.UTF_8));
            int fate = rnd.nextInt(40);
            if (fate == 0) {
                w.observations.add(EndpointObservation.unreachable(id, host, "CONNECT_REFUSED"));
                w.story.append("endpoint ").append(e).append(" unreachable\n");
                continue;
            }
            Cert issuer = chain.get(chain.size() - 1);
            TestPki.Builder lb = issuer.leaf(fate == 1 ? "wrong.example.test" : host);
            if (fate == 2) {
                lb.expired();
            }
            Cert leaf = lb.build();
            List<X509Certificate> presented = new ArrayList<>();
            List<X509Certificate> extras = new ArrayList<>();
            presented.add(leaf.cert());
            StringBuilder shape = new StringBuilder("endpoint " + e + " (fate " + fate + "): leaf");
            for (int i = chain.size() - 1; i >= 1; i--) {
                if (rnd.nextInt(10) < 3) {
                    shape.append(" -").append(chain.get(i).subject());
                    if (rnd.nextInt(10) < 7) {
                        extras.add(chain.get(i).cert());
                        shape.append("(known)");
                    }
                } else {
                    presented.add(chain.get(i).cert());
                    shape.append(" +").append(chain.get(i).subject());
                }
            }
            if (rnd.nextInt(5) == 0) {
                presented.add(chain.get(0).cert());
                shape.append(" +root");
            }
            for (Cert cross : crosses.getOrDefault(chain.get(0), List.of())) {
                if (rnd.nextBoolean()) {
                    presented.add(cross.cert());
                    shape.append(" +cross");
                } else if (rnd.nextBoolean()) {
                    extras.add(cross.cert());
                    shape.append(" cross(known)");
                }
            }
            if (presented.size() > 2 && rnd.nextInt(5) == 0) {
                Collections.shuffle(presented.subList(1, presented.size()), rnd);
                shape.append(" shuffled");
            }
            w.story.append(shape).append('\n');
            w.observations.add(EndpointObservation.ok(id, host, presented, extras));
        }
        int min = rnd.nextInt(LEVELS.length);
        int max = min + rnd.nextInt(LEVELS.length - min);
        Set<String> include = new HashSet<>();
        Set<String> exclude = new HashSet<>();
        if (rnd.nextInt(10) < 3) {
            Cert c = rnd.nextInt(4) == 0 ? TestPki.rootBuilder("Expired Include").expired().build()
                    : w.cas.get(rnd.nextInt(w.cas.size()));
            include.add(c.sha256());
            w.includes.put(c.sha256(), c.cert());
            w.story.append("include ").append(c.subject()).append('\n');
        }
        if (rnd.nextInt(10) < 3) {
            Cert c = w.cas.get(rnd.nextInt(w.cas.size()));
            exclude.add(c.sha256());
            w.story.append("exclude ").append(c.subject()).append('\n');
        }
        ManagementMode mode = rnd.nextBoolean() ? ManagementMode.FULLY_MANAGED : ManagementMode.WORK_PROFILE;
        w.group = new GroupSpec(UUID.randomUUID(), LEVELS[min], LEVELS[max], mode, Set.of(), include, exclude);
        w.story.append("group ").append(LEVELS[min]).append("..").append(LEVELS[max]).append('\n');
        return w;
    }
}
