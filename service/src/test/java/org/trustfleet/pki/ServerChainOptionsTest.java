package org.trustfleet.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link ServerChainOptions#choose}: the chain most of the selected levels accept, ties as {@link ServerChainAdvisor}
 * documents them, with each selected level's verdicts, on verdict tables no real hierarchy gives (every tie, every
 * level count up to past 64). The choice is checked against the rule written out plainly here.
 */
class ServerChainOptionsTest {

    private static final List<X509Certificate> CERTS = TestPki.certs(TestPki.root("Options A"),
            TestPki.root("Options B"), TestPki.root("Options C"));

    /** A candidate as the advisor builds one, its verdicts drawn at random. */
    private static ServerChainOptions.Candidate candidate(Random rnd, SortedSet<Integer> levels, int index) {
        int size = 1 + rnd.nextInt(CERTS.size());
        List<X509Certificate> chain = CERTS.subList(0, size);
        Map<Integer, ValidationResult> byLevel = new TreeMap<>();
        ValidationResult trusted = ValidationResult.ok(chain);
        ValidationResult rejected = ValidationResult.fail(chain, ValidationFailure.NO_PATH, "no path " + index);
        for (int level : levels) {
            byLevel.put(level, rnd.nextInt(3) == 0 ? rejected : trusted);
        }
        List<String> sha = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            sha.add(index + "-" + i);
        }
        return new ServerChainOptions.Candidate(chain, sha, String.format("%04d", rnd.nextInt(10_000)) + "/" + index,
                byLevel, rnd.nextBoolean(), rnd.nextInt(size + 1));
    }

    /** The documented rule: most selected levels accept, then shorter, then ordered, then sharing more, then key. */
    private static ServerChainOptions.Candidate expected(List<ServerChainOptions.Candidate> candidates,
            Collection<Integer> selected) {
        Comparator<ServerChainOptions.Candidate> rule = Comparator
                .comparingLong((ServerChainOptions.Candidate c) -> -selected.stream()
                        .filter(l -> c.byLevel().get(l).trusted()).count())
                .thenComparingInt(c -> c.chain().size())
                .thenComparing(c -> !c.ordered())
                .thenComparingInt(c -> -c.sharedWithPresented())
                .thenComparing(ServerChainOptions.Candidate::key);
        return candidates.stream().min(rule).orElseThrow();
    }

    @Test
    void theChoiceFollowsTheRuleForEveryRangeAndLevelCount() {
        Random rnd = new Random(7);
        for (int levelCount : new int[] {1, 2, 27, 63, 64, 65, 130}) {
            SortedSet<Integer> levels = new TreeSet<>();
            IntStream.range(0, levelCount).forEach(i -> levels.add(10 + 2 * i)); // gaps: odd levels have no store
            for (int round = 0; round < 40; round++) {
                List<ServerChainOptions.Candidate> candidates = new ArrayList<>();
                int n = 1 + rnd.nextInt(6);
                for (int i = 0; i < n; i++) {
                    candidates.add(candidate(rnd, levels, i));
                }
                Map<Integer, ValidationResult> asPresented = candidates.get(0).byLevel();
                List<String> today = candidates.get(0).chainSha256();
                ServerChainOptions options = new ServerChainOptions(levels, candidates, asPresented, today);
                int lowest = levels.first();
                int highest = levels.last();
                int min = lowest - 1 + rnd.nextInt(highest - lowest + 3);
                int max = min + rnd.nextInt(highest - min + 3);
                List<Integer> asked = IntStream.rangeClosed(min, max).boxed().toList();
                List<Integer> selected = asked.stream().filter(levels::contains).toList();

                ServerFix fix = options.choose(asked);
                ServerChainOptions.Candidate want = expected(candidates, selected);
                String where = levelCount + " levels, round " + round + ", API " + min + "-" + max;
                assertThat(fix.chainSha256()).as(where).isEqualTo(want.chainSha256());
                assertThat(fix.changesPresented()).as(where).isEqualTo(!want.chainSha256().equals(today));
                assertThat(fix.perLevel().keySet()).as(where).containsExactlyElementsOf(selected);
                for (int level : selected) {
                    ValidationResult proposed = want.byLevel().get(level);
                    assertThat(fix.perLevel().get(level)).as(where + ", level " + level)
                            .isEqualTo(new ServerFix.LevelVerdict(proposed.trusted(),
                                    asPresented.get(level).trusted(), proposed.trusted() ? null
                                            : proposed.failure() + ": " + proposed.detail()));
                }
                assertThat(fix.levelsNotFixed()).as(where).containsExactlyElementsOf(
                        selected.stream().filter(l -> !want.byLevel().get(l).trusted()).toList());

                // null or empty: every level assessed
                ServerChainOptions.Candidate forAll = expected(candidates, levels);
                assertThat(options.choose(null).chainSha256()).as(where).isEqualTo(forAll.chainSha256());
                assertThat(options.choose(List.of()).perLevel().keySet()).as(where)
                        .containsExactlyElementsOf(levels);
            }
        }
    }

    @Test
    void levelsWithoutAStoreAreIgnoredAndNoneSelectedGivesNoVerdict() {
        Random rnd = new Random(11);
        SortedSet<Integer> levels = new TreeSet<>(List.of(24, 30, 36));
        List<ServerChainOptions.Candidate> candidates = List.of(candidate(rnd, levels, 0), candidate(rnd, levels, 1));
        ServerChainOptions options = new ServerChainOptions(levels, candidates, candidates.get(0).byLevel(),
                candidates.get(0).chainSha256());

        List<Integer> withNull = new ArrayList<>(List.of(25, 31));
        withNull.add(null);
        ServerFix none = options.choose(withNull);
        assertThat(none.perLevel()).isEmpty();
        assertThat(none.levelsNotFixed()).isEmpty();
        // with no level to count, the tie order alone decides
        assertThat(none.chainSha256()).isEqualTo(expected(candidates, List.of()).chainSha256());
        assertThat(options.choose(List.of(30, 31)).perLevel().keySet()).containsExactly(30);
    }
}
