package org.trustfleet.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.UUID;
import org.trustfleet.pki.ServerFix;
import org.trustfleet.scan.ServerFixAdvice;

/**
 * The stored shape of a group's requirement set ({@code group_requirements.document}, jsonb), kept apart from the
 * API's {@link GroupRequirements} so that the API can change without turning old rows into errors. Group id,
 * version and computation time are columns of the row. Read with {@code core.JsonColumns}, which ignores unknown
 * fields; a change that is not a pure addition gets a new {@code schemaVersion} and a migration, unless this record
 * reads both shapes. {@code serverFixes} was such an addition: rows written before it read as having none. Version 2
 * groups a server fix's levels by verdict ({@code levels}); a version 1 row lists each level ({@code perApiLevel}),
 * still reads, and is rewritten in the new shape by its group's next recompute.
 */
record StoredRequirements(int schemaVersion, List<Certificate> certificates, List<Problem> unresolved,
        List<Hint> advice, List<StoredServerFix> serverFixes) {

    /**
     * The version this code writes. Version 1: roles as enum names, otherwise the API's field names. Version 2: a
     * server fix's levels grouped by verdict.
     */
    static final int CURRENT_VERSION = 2;

    StoredRequirements {
        certificates = certificates == null ? List.of() : List.copyOf(certificates);
        unresolved = unresolved == null ? List.of() : List.copyOf(unresolved);
        advice = advice == null ? List.of() : List.copyOf(advice);
        serverFixes = serverFixes == null ? List.of() : List.copyOf(serverFixes);
    }

    /**
     * One endpoint's server fix for the group's levels. Written with {@code levels}: the levels sharing a verdict once,
     * where listing each level repeated the same reason at most of them and made the fixes nine tenths of a group's
     * document (a platform store change writes again every document it changes). {@code perApiLevel}: as version 1
     * rows hold them.
     */
    record StoredServerFix(UUID endpointId, List<String> chain, boolean changesPresented, List<Level> perApiLevel,
            List<LevelRun> levels, List<Integer> levelsNotFixed) {
        StoredServerFix {
            chain = chain == null ? List.of() : List.copyOf(chain);
            perApiLevel = perApiLevel == null ? List.of() : List.copyOf(perApiLevel);
            levels = levels == null ? List.of() : List.copyOf(levels);
            levelsNotFixed = levelsNotFixed == null ? List.of() : List.copyOf(levelsNotFixed);
        }

        static StoredServerFix of(GroupRequirements.EndpointServerFix f) {
            ServerFixAdvice a = f.serverFix();
            Map<ServerFix.LevelVerdict, List<Integer>> byVerdict = new LinkedHashMap<>();
            for (ServerFixAdvice.Level l : a.perApiLevel()) {
                byVerdict.computeIfAbsent(new ServerFix.LevelVerdict(l.trusted(), l.trustedAsPresented(),
                        l.failure()), k -> new ArrayList<>()).add(l.apiLevel());
            }
            List<LevelRun> runs = byVerdict.entrySet().stream().map(e -> new LevelRun(e.getValue(),
                    e.getKey().trusted(), e.getKey().trustedAsPresented(), e.getKey().reasonOrNull())).toList();
            return new StoredServerFix(f.endpointId(), a.chain(), a.changesPresented(), List.of(), runs,
                    a.levelsNotFixed());
        }

        /** The API view: each level's verdicts, in level order. */
        GroupRequirements.EndpointServerFix toApi() {
            List<ServerFixAdvice.Level> perLevel = new ArrayList<>();
            perApiLevel.forEach(l -> perLevel.add(new ServerFixAdvice.Level(l.apiLevel(), l.trusted(),
                    l.trustedAsPresented(), l.failure())));
            for (LevelRun run : levels) {
                run.apiLevels().forEach(level -> perLevel.add(new ServerFixAdvice.Level(level, run.trusted(),
                        run.trustedAsPresented(), run.failure())));
            }
            perLevel.sort(Comparator.comparingInt(ServerFixAdvice.Level::apiLevel));
            return new GroupRequirements.EndpointServerFix(endpointId, new ServerFixAdvice(chain, changesPresented,
                    perLevel, levelsNotFixed));
        }
    }

    /** Levels sharing one verdict on the proposed server chain and on the presented one. */
    record LevelRun(List<Integer> apiLevels, boolean trusted, boolean trustedAsPresented, String failure) {
        LevelRun {
            apiLevels = apiLevels == null ? List.of() : List.copyOf(apiLevels);
        }
    }

    /** One level's verdicts on the proposed server chain and on the presented one. */
    record Level(int apiLevel, boolean trusted, boolean trustedAsPresented, String failure) {}

    /** A delivered certificate with every reason it is there. */
    record Certificate(String sha256, CertificateRole role, String subject, Instant notAfter,
            List<StoredReason> reasons) {
        Certificate {
            reasons = reasons == null ? List.of() : List.copyOf(reasons);
        }
    }

    /** Why a certificate is delivered; {@code endpointId} is null for an include. */
    record StoredReason(UUID endpointId, List<Integer> apiLevels, ReasonCode code) {
        StoredReason {
            apiLevels = apiLevels == null ? List.of() : List.copyOf(apiLevels);
        }
    }

    /** What no installation can fix for an endpoint at some API levels. */
    record Problem(UUID endpointId, List<Integer> apiLevels, UnresolvedCode code, String detail, String sha256) {
        Problem {
            apiLevels = apiLevels == null ? List.of() : List.copyOf(apiLevels);
        }
    }

    /** Advice for the admin; {@code endpointId} null = group-wide. */
    record Hint(UUID endpointId, AdviceCode code, String sha256, String detail) {}

    static StoredRequirements of(Requirements requirements, List<GroupRequirements.EndpointServerFix> serverFixes) {
        return new StoredRequirements(CURRENT_VERSION,
                requirements.certificates().stream().map(c -> new Certificate(c.sha256(), c.role(), c.subject(),
                        c.notAfter(), c.reasons().stream()
                                .map(r -> new StoredReason(r.endpointId(), r.apiLevels(), r.code())).toList()))
                        .toList(),
                requirements.unresolved().stream().map(u -> new Problem(u.endpointId(), u.apiLevels(), u.code(),
                        u.detail(), u.sha256OrNull())).toList(),
                requirements.advice().stream().map(a -> new Hint(a.endpointId(), a.code(), a.sha256OrNull(),
                        a.detail())).toList(), serverFixes.stream().map(StoredServerFix::of).toList());
    }

    /** The API view; this is the one place the stored shape becomes the API's. */
    GroupRequirements toApi(UUID groupId, long version, Instant computedAt) {
        return new GroupRequirements(groupId, version, computedAt,
                certificates.stream().map(c -> new GroupRequirements.Certificate(c.sha256(),
                        c.role().name().toLowerCase(Locale.ROOT), c.subject(), c.notAfter(), c.reasons().stream()
                                .map(r -> new Reason(r.endpointId(), r.apiLevels(), r.code())).toList())).toList(),
                unresolved.stream().map(p -> new GroupRequirements.Problem(p.endpointId(), p.apiLevels(), p.code(),
                        p.detail(), p.sha256())).toList(),
                advice.stream().map(h -> new GroupRequirements.Hint(h.endpointId(), h.code(), h.sha256(),
                        h.detail())).toList(), serverFixes.stream().map(StoredServerFix::toApi).toList());
    }
}
