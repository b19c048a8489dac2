package dev.ktstr.coordinator.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code -E} name filter. Each expression is a plain substring ({@code smt-2llc},
 * {@code llc+steal}: variant names contain {@code +} and {@code .}, so substring is the default)
 * or, prefixed with {@code re:}, a Java regular expression searched anywhere in the name
 * ({@code re:^gauntlet/basic/(tiny|smt)-}). A name passes when any expression matches; no expression
 * passes everything.
 */
public final class NameFilter {

    private static final NameFilter ALL = new NameFilter(List.of(), List.of());

    private final List<String> expressions;
    private final List<Predicate<String>> tests;

    private NameFilter(List<String> expressions, List<Predicate<String>> tests) {
        this.expressions = List.copyOf(expressions);
        this.tests = List.copyOf(tests);
    }

    public static NameFilter all() {
        return ALL;
    }

    public static NameFilter parse(List<String> expressions) {
        if (expressions == null || expressions.isEmpty()) return ALL;
        List<Predicate<String>> tests = new ArrayList<>();
        for (String e : expressions) {
            if (e == null || e.isEmpty()) {
                throw new IllegalArgumentException("empty -E filter: give a substring of a test name, or re:REGEX");
            }
            if (e.startsWith("re:")) {
                try {
                    tests.add(Pattern.compile(e.substring(3)).asPredicate());
                } catch (PatternSyntaxException ex) {
                    throw new IllegalArgumentException("bad -E regular expression '" + e.substring(3) + "': "
                            + ex.getDescription() + " (drop the re: prefix to match a plain substring)", ex);
                }
            } else {
                tests.add(name -> name.contains(e));
            }
        }
        return new NameFilter(expressions, tests);
    }

    public static NameFilter parse(String... expressions) {
        return parse(List.of(expressions));
    }

    public boolean matches(String name) {
        if (tests.isEmpty()) return true;
        for (Predicate<String> t : tests) {
            if (t.test(name)) return true;
        }
        return false;
    }

    public boolean isAll() {
        return tests.isEmpty();
    }

    @Override
    public String toString() {
        return tests.isEmpty() ? "(all)" : String.join(" | ", expressions);
    }
}
