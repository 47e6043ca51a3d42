package org.trustfleet.policy;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.trustfleet.scan.ServerFixAdvice;

/**
 * The stored shape of a group's requirement set ({@code group_requirements.document}, jsonb), kept apart from the
 * API's {@link GroupRequirements} so that the API can change without turning old rows into errors. Group id,
 * version and computation time are columns of the row. Read with {@code core.JsonColumns}, which ignores unknown
 * fields; a change that is not a pure addition gets a new {@code schemaVersion} and a migration.
 * {@code serverFixes} was such an addition: rows written before it read as having none.
 */
record StoredRequirements(int schemaVersion, List<Certificate> certificates, List<Problem> unresolved,
        List<Hint> advice, List<StoredServerFix> serverFixes) {

    /** The version this code writes. Version 1: roles as enum names, otherwise the API's field names. */
    static final int CURRENT_VERSION = 1;

    StoredRequirements {
        certificates = certificates == null ? List.of() : List.copyOf(certificates);
        unresolved = unresolved == null ? List.of() : List.copyOf(unresolved);
        advice = advice == null ? List.of() : List.copyOf(advice);
        serverFixes = serverFixes == null ? List.of() : List.copyOf(serverFixes);
    }

    /** One endpoint's server fix for the group's levels. */
    record StoredServerFix(UUID endpointId, List<String> chain, boolean changesPresented, List<Level> perApiLevel,
            List<Integer> levelsNotFixed) {
        StoredServerFix {
            chain = chain == null ? List.of() : List.copyOf(chain);
            perApiLevel = perApiLevel == null ? List.of() : List.copyOf(perApiLevel);
            levelsNotFixed = levelsNotFixed == null ? List.of() : List.copyOf(levelsNotFixed);
        }

        static StoredServerFix of(GroupRequirements.EndpointServerFix f) {
            ServerFixAdvice a = f.serverFix();
            return new StoredServerFix(f.endpointId(), a.chain(), a.changesPresented(), a.perApiLevel().stream()
                    .map(l -> new Level(l.apiLevel(), l.trusted(), l.trustedAsPresented(), l.failure())).toList(),
                    a.levelsNotFixed());
        }

        GroupRequirements.EndpointServerFix toApi() {
            return new GroupRequirements.EndpointServerFix(endpointId, new ServerFixAdvice(chain, changesPresented,
                    perApiLevel.stream().map(l -> new ServerFixAdvice.Level(l.apiLevel(), l.trusted(),
                            l.trustedAsPresented(), l.failure())).toList(), levelsNotFixed));
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
