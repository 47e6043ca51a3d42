package org.trustfleet;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import jakarta.persistence.Entity;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Path;

/** The layer rules of DESIGN.md, kept by the build. */
@AnalyzeClasses(packages = "org.trustfleet", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule pkiIsPure = classes().that().resideInAPackage("org.trustfleet.pki..")
            .should().onlyDependOnClassesThat()
            .resideInAnyPackage("java..", "javax.security..", "javax.net..", "javax.crypto..", "javax.naming..",
                    "javax.security.auth.x500..", "org.bouncycastle..", "org.trustfleet.pki..")
            .as("pki depends only on the JDK and Bouncy Castle");

    @ArchTest
    static final ArchRule entitiesStayInPersistence = noClasses().that().resideInAPackage("org.trustfleet.web..")
            .should().dependOnClassesThat().areAnnotatedWith(Entity.class)
            .as("entities never reach the web layer");

    @ArchTest
    static final ArchRule entitiesAreUsedOnlyInTheirOwnPackage = classes().that().areAnnotatedWith(Entity.class)
            .should().onlyBeAccessed().byClassesThat().resideInAnyPackage("org.trustfleet.tenant..",
                    "org.trustfleet.truststore..", "org.trustfleet.scan..", "org.trustfleet.policy..",
                    "org.trustfleet.payload..", "org.trustfleet.device..", "org.trustfleet.drift..")
            .as("entities are used by services, never by the edge");

    @ArchTest
    static final ArchRule noTransactionsOnResources = methods().that().areDeclaredInClassesThat()
            .areAnnotatedWith(Path.class).should().notBeAnnotatedWith(Transactional.class)
            .as("transactions live on services, not resources");

    @ArchTest
    static final ArchRule resourcesAreNotTransactional = classes().that().areAnnotatedWith(Path.class)
            .should().notBeAnnotatedWith(Transactional.class);

    @ArchTest
    static final ArchRule resourcesLiveInWeb = classes().that().areAnnotatedWith(Path.class)
            .should().resideInAnyPackage("org.trustfleet.web..", "org.trustfleet.console..");

    @ArchTest
    static final ArchRule httpOnlyAtTheEdge = noClasses().that()
            .resideOutsideOfPackages("org.trustfleet.web..", "org.trustfleet.console..")
            .should().dependOnClassesThat().resideInAnyPackage("jakarta.ws.rs..", "org.jboss.resteasy..")
            .as("HTTP types and problem documents are built only in web");

    // DESIGN.md's dependency table, as "must not depend on" rules (core holds the shared error type and config)

    @ArchTest
    static final ArchRule tenantDependsOnNoCapability = capability("tenant").should().dependOnClassesThat()
            .resideInAnyPackage(pkgs("pki", "truststore", "scan", "policy", "payload", "device", "drift", "web"));

    @ArchTest
    static final ArchRule truststoreOnlyOnPki = capability("truststore").should().dependOnClassesThat()
            .resideInAnyPackage(pkgs("scan", "policy", "payload", "device", "drift", "tenant", "web"));

    @ArchTest
    static final ArchRule scanOnlyOnPkiAndTruststore = capability("scan").should().dependOnClassesThat()
            .resideInAnyPackage(pkgs("policy", "payload", "device", "drift", "tenant", "web"));

    @ArchTest
    static final ArchRule policyReadsScansButNothingDownstream = capability("policy").should()
            .dependOnClassesThat().resideInAnyPackage(pkgs("payload", "device", "drift", "tenant", "web"));

    @ArchTest
    static final ArchRule payloadOnlyOnPkiAndPolicy = capability("payload").should().dependOnClassesThat()
            .resideInAnyPackage(pkgs("device", "drift", "web"));

    @ArchTest
    static final ArchRule deviceNotOnDriftOrWeb = capability("device").should().dependOnClassesThat()
            .resideInAnyPackage(pkgs("drift", "web"));

    @ArchTest
    static final ArchRule agentLibraryStandsAlone = classes().that().resideInAPackage("org.trustfleet.agent..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax..", "org.bouncycastle..",
                    "org.json..", "android..", "org.trustfleet.agent..")
            .as("the agent library (module agent/) depends on no service class: Android DPCs embed it");

    @ArchTest
    static final ArchRule retentionWorksOnTablesOnly = capability("retention").should().dependOnClassesThat()
            .resideInAnyPackage(pkgs("truststore", "scan", "policy", "payload", "device", "drift", "tenant", "web",
                    "console"));

    @ArchTest
    static final ArchRule policyEngineIsPure = classes().that().haveSimpleNameEndingWith("Engine")
            .and().resideInAPackage("org.trustfleet.policy..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax.security..",
                    "org.bouncycastle..", "org.trustfleet.pki..", "org.trustfleet.policy..")
            .as("the policy engine is a pure function of its inputs");

    private static com.tngtech.archunit.lang.syntax.elements.GivenClassesConjunction capability(String name) {
        return noClasses().that().resideInAPackage("org.trustfleet." + name + "..");
    }

    private static String[] pkgs(String... names) {
        return java.util.Arrays.stream(names).map(n -> "org.trustfleet." + n + "..").toArray(String[]::new);
    }

    @ArchTest
    static final ArchRule servicesDoNotDependOnWeb = noClasses().that()
            .resideOutsideOfPackages("org.trustfleet.web..", "org.trustfleet.console..")
            .should().dependOnClassesThat().resideInAPackage("org.trustfleet.web..");

    /**
     * Caches are built only in {@code org.trustfleet.cache} (bounded, named, in the metrics, invalidated through one
     * feed): no other class uses Caffeine or Quarkus' cache directly, and none makes its own LRU map by extending
     * {@link java.util.LinkedHashMap} (the {@code removeEldestEntry} idiom).
     */
    @ArchTest
    static void onlyTheCachePackageBuildsCaches(com.tngtech.archunit.core.domain.JavaClasses classes) {
        noClasses().that().resideOutsideOfPackage("org.trustfleet.cache..")
                .should().dependOnClassesThat().resideInAnyPackage("com.github.benmanes.caffeine..",
                        "io.quarkus.cache..")
                .orShould().beAssignableTo(java.util.LinkedHashMap.class)
                .as("no class outside org.trustfleet.cache builds its own cache")
                .check(classes);
    }

    // issue 11: one answer per domain question, owned by pki

    @ArchTest
    static final ArchRule caCertificateRuleLivesInPki = noClasses().that()
            // the agent library cannot depend on the service: its own copy of the rule lives in one place, agent.Certs
            .resideOutsideOfPackages("org.trustfleet.pki..", "org.trustfleet.agent..")
            .should().callMethod(java.security.cert.X509Certificate.class, "getBasicConstraints")
            .orShould().callMethod(java.security.cert.X509Certificate.class, "getKeyUsage")
            .as("whether a certificate is a (deliverable) CA is decided in pki (Certificates.isCaCertificate)");

    @ArchTest
    static final ArchRule sha256IdsAreReadInPki = com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields()
            .that().haveRawType(java.util.regex.Pattern.class)
            .and().areDeclaredInClassesThat().resideOutsideOfPackage("org.trustfleet.pki..")
            .should().haveNameMatching("(?i).*sha.*")
            .as("certificate ids are read with one rule, pki.Sha256.parse, not with local patterns");

    @ArchTest
    static final ArchRule androidVerdictsComeFromPki = noClasses().that()
            .resideOutsideOfPackage("org.trustfleet.pki..")
            .should().dependOnClassesThat().haveFullyQualifiedName("org.trustfleet.pki.AndroidValidator")
            .as("scan and policy take verdicts and fixes from pki.FixFinder, so they cannot disagree");

    @ArchTest
    static final ArchRule policyEnginePartsArePure = classes().that().resideInAPackage("org.trustfleet.policy..")
            .and().haveSimpleNameStartingWith("EndpointAnalyzer")
            .or().haveSimpleNameStartingWith("GroupCover")
            .or().haveSimpleNameStartingWith("SetCover")
            .or().haveSimpleNameStartingWith("AdviceText")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax.security..",
                    "org.bouncycastle..", "org.trustfleet.pki..", "org.trustfleet.policy..")
            .as("the parts of the policy engine are as pure as the engine");

    // issue 12: check runs before Quarkus, without a database or a service

    @ArchTest
    static final ArchRule checkCommandNeedsNoService = noClasses().that().resideInAPackage("org.trustfleet.cli..")
            .and().haveSimpleNameStartingWith("Check")
            .should().dependOnClassesThat().resideInAnyPackage(pkgs("policy", "payload", "device", "drift", "tenant",
                    "web", "alert", "console"))
            .orShould().dependOnClassesThat().resideInAnyPackage("io.quarkus.arc..", "jakarta.persistence..",
                    "jakarta.transaction..", "jakarta.inject..", "jakarta.enterprise..")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("io.quarkus.runtime.Quarkus")
            .as("check uses pki, truststore and scan parts built by hand, never a service or Quarkus at runtime");

    // The MDM console formats are a pure core; ExportService (payload) and the resource (web) wrap it.

    @ArchTest
    static final ArchRule exportCoreIsPure = classes().that().resideInAPackage("org.trustfleet.export..")
            .should().onlyDependOnClassesThat(com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage(
                    "java..", "javax.naming..", "javax.security..", "com.fasterxml.jackson..",
                    "org.trustfleet.export..", "org.trustfleet.pki..", "org.trustfleet.core..")
                    .or(com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo(
                            org.trustfleet.policy.ManagementMode.class)))
            .as("the console formats depend on pki, core's error type, Jackson and the ownership setting only");

    // The admin console is a second edge (HTML pages, cookie sessions) beside web (the JSON API).

    @ArchTest
    static final ArchRule entitiesNeverReachTheConsole = noClasses().that()
            .resideInAPackage("org.trustfleet.console..")
            .should().dependOnClassesThat().areAnnotatedWith(Entity.class)
            .as("the console reads through services; entities never reach it");
}
