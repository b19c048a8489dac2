package dev.ktstr.scenario.processor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Messager;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.tools.Diagnostic;

/**
 * Compile-time checks for {@code @KtstrTest} methods and {@code @DeclaredFlags} scheduler
 * definitions: what the original rejects at compile time (spec §1.2/§1.3) plus the method
 * signature. Registered in META-INF/services, so it runs whenever a project compiles against
 * ktstr-scenario. Runtime discovery repeats the checks for code compiled without it.
 */
public final class KtstrTestProcessor extends AbstractProcessor {

    static final String KTSTR_TEST = "dev.ktstr.scenario.KtstrTest";
    static final String DECLARED_FLAGS = "dev.ktstr.scenario.sched.DeclaredFlags";
    static final String ASSERT_RESULT = "dev.ktstr.scenario.verify.AssertResult";
    static final String CTX = "dev.ktstr.scenario.Ctx";
    static final String SCHEDULER_DEFINITION = "dev.ktstr.scenario.sched.SchedulerDefinition";

    /** Attributes that are -1 (inherit) or > 0. */
    private static final List<String> POSITIVE = List.of("numaNodes", "llcs", "cores", "threads", "memoryMb",
            "watchdogTimeoutS", "durationS", "workersPerCgroup", "minNumaNodes", "maxNumaNodes", "minLlcs", "maxLlcs",
            "minCpus", "maxCpus", "cleanupBudgetMs", "attachTimeoutS");
    /** Integral thresholds that are -1 (inherit) or >= 0. */
    private static final List<String> NON_NEGATIVE = List.of("maxGapMs", "maxP99WakeLatencyNs", "maxLocalDsqDepth", "sustainedSamples");
    /** Integral attributes whose default is 0 and that must be >= 0. */
    private static final List<String> ZERO_OR_MORE = List.of("watchdogGapMs");
    private static final List<String[]> MIN_MAX = List.of(new String[] {"minNumaNodes", "maxNumaNodes"},
            new String[] {"minLlcs", "maxLlcs"}, new String[] {"minCpus", "maxCpus"});

    /** An attach window longer than this leaves no time of the guest's 600 s test deadline for the test. */
    static final long MAX_ATTACH_TIMEOUT_S = 300;

    private Messager messager;

    @Override
    public Set<String> getSupportedAnnotationTypes() {
        return Set.of(KTSTR_TEST, DECLARED_FLAGS);
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        messager = processingEnv.getMessager();
        TypeElement test = processingEnv.getElementUtils().getTypeElement(KTSTR_TEST);
        TypeElement flags = processingEnv.getElementUtils().getTypeElement(DECLARED_FLAGS);
        if (flags != null) {
            for (Element e : round.getElementsAnnotatedWith(flags)) checkFlagDeclarations(e);
        }
        if (test != null) {
            for (Element e : round.getElementsAnnotatedWith(test)) {
                if (e.getKind() == ElementKind.METHOD) checkTest((ExecutableElement) e);
            }
        }
        return false;
    }

    private void checkTest(ExecutableElement m) {
        AnnotationMirror ann = mirror(m, KTSTR_TEST);
        Map<String, AnnotationValue> v = explicitValues(ann);
        String name = m.getSimpleName().toString();

        checkSignature(m, name);

        for (String attr : POSITIVE) {
            Long x = integral(v.get(attr));
            if (x != null && x != -1 && x <= 0) {
                error(m, ann, v.get(attr), "@KtstrTest " + attr + " = " + x + " on " + name + ": must be > 0 (leave it unset to inherit)");
            }
        }
        for (String attr : NON_NEGATIVE) {
            Long x = integral(v.get(attr));
            if (x != null && x < -1) error(m, ann, v.get(attr), "@KtstrTest " + attr + " = " + x + " on " + name + ": must be >= 0 (leave it unset to inherit)");
        }
        for (String attr : ZERO_OR_MORE) {
            Long x = integral(v.get(attr));
            if (x != null && x < 0) error(m, ann, v.get(attr), "@KtstrTest " + attr + " = " + x + " on " + name + ": must be >= 0 (0 = the harness default)");
        }
        Long attach = integral(v.get("attachTimeoutS"));
        if (attach != null && attach > MAX_ATTACH_TIMEOUT_S) {
            error(m, ann, v.get("attachTimeoutS"), "@KtstrTest attachTimeoutS = " + attach + " on " + name + ": at most " + MAX_ATTACH_TIMEOUT_S
                    + " s (the guest's whole test deadline is 600 s)");
        }
        for (Map.Entry<String, AnnotationValue> e : v.entrySet()) {
            if (e.getValue().getValue() instanceof Double d && !d.isNaN() && (d.isInfinite() || d < 0)) {
                error(m, ann, e.getValue(), "@KtstrTest " + e.getKey() + " = " + d + " on " + name + ": must be finite and >= 0");
            }
        }
        Long numa = integral(v.get("numaNodes"));
        Long llcs = integral(v.get("llcs"));
        if (numa != null && llcs != null && numa > 0 && llcs > 0 && llcs % numa != 0) {
            error(m, ann, v.get("llcs"), "@KtstrTest llcs = " + llcs + " on " + name + " is not a multiple of numaNodes = " + numa
                    + ": every NUMA node must own whole LLCs");
        }
        for (String[] mm : MIN_MAX) {
            Long lo = integral(v.get(mm[0]));
            Long hi = integral(v.get(mm[1]));
            if (lo != null && hi != null && lo > 0 && hi > 0 && lo > hi) {
                error(m, ann, v.get(mm[0]), "@KtstrTest " + mm[0] + " = " + lo + " > " + mm[1] + " = " + hi + " on " + name);
            }
        }

        List<String> required = strings(v.get("requiredFlags"));
        List<String> excluded = strings(v.get("excludedFlags"));
        for (String f : required) {
            if (excluded.contains(f)) error(m, ann, v.get("excludedFlags"), "@KtstrTest flag '" + f + "' on " + name + " is both required and excluded");
        }
        if (required.isEmpty() && excluded.isEmpty() && v.get("scheduler") == null) return;

        TypeElement sched = schedulerType(v.get("scheduler"));
        if (sched == null) {
            if (!required.isEmpty() || !excluded.isEmpty()) {
                error(m, ann, null, "@KtstrTest " + name + " uses flags but its scheduler is EEVDF, which declares none; set scheduler = <your SchedulerDefinition>.class");
            }
            return;
        }
        checkSchedulerType(m, ann, v.get("scheduler"), sched);
        List<String> declared = declaredFlagNames(sched);
        List<String> used = new ArrayList<>(required);
        used.addAll(excluded);
        for (String f : used) {
            if (declared.isEmpty()) {
                error(m, ann, null, "@KtstrTest " + name + " uses flag '" + f + "' but scheduler " + sched.getSimpleName()
                        + " declares no flags (add @DeclaredFlags to it)");
            } else if (!declared.contains(f)) {
                error(m, ann, null, "@KtstrTest " + name + ": scheduler " + sched.getSimpleName() + " declares no flag '" + f + "'; declared: " + declared);
            }
        }
    }

    private void checkSignature(ExecutableElement m, String name) {
        String sig = "AssertResult " + name + "(Ctx ctx)";
        TypeMirror ret = m.getReturnType();
        boolean retOk = ret.getKind() == TypeKind.DECLARED && qualifiedName(ret).equals(ASSERT_RESULT);
        boolean paramsOk = m.getParameters().size() == 1 && m.getParameters().get(0).asType().getKind() == TypeKind.DECLARED
                && qualifiedName(m.getParameters().get(0).asType()).equals(CTX);
        if (!retOk || !paramsOk) {
            error(m, null, null, "@KtstrTest method " + name + " must have the signature " + sig);
        }
        if (m.getModifiers().contains(Modifier.PRIVATE)) error(m, null, null, "@KtstrTest method " + name + " must not be private");
        if (m.getModifiers().contains(Modifier.ABSTRACT)) error(m, null, null, "@KtstrTest method " + name + " must not be abstract");
        if (!m.getTypeParameters().isEmpty()) error(m, null, null, "@KtstrTest method " + name + " must not be generic");
        Element owner = m.getEnclosingElement();
        if (owner instanceof TypeElement type && !m.getModifiers().contains(Modifier.STATIC)) {
            boolean inner = type.getNestingKind() == NestingKind.MEMBER && !type.getModifiers().contains(Modifier.STATIC)
                    || type.getNestingKind() == NestingKind.LOCAL || type.getNestingKind() == NestingKind.ANONYMOUS;
            if (type.getModifiers().contains(Modifier.ABSTRACT) || type.getKind() == ElementKind.INTERFACE || inner) {
                error(m, null, null, "@KtstrTest method " + name + " is an instance method of " + type.getSimpleName()
                        + ", which cannot be instantiated by the harness (make the method static or the class concrete, top-level or static nested)");
            } else if (!hasNoArgConstructor(type)) {
                error(m, null, null, "@KtstrTest method " + name + " is an instance method, so " + type.getSimpleName() + " needs a no-argument constructor (or make the method static)");
            }
        }
    }

    private void checkSchedulerType(Element m, AnnotationMirror ann, AnnotationValue value, TypeElement sched) {
        if (sched.getModifiers().contains(Modifier.ABSTRACT) || sched.getKind() != ElementKind.CLASS) {
            error(m, ann, value, "scheduler " + sched.getSimpleName() + " must be a concrete class implementing SchedulerDefinition");
        } else if (!hasNoArgConstructor(sched)) {
            error(m, ann, value, "scheduler " + sched.getSimpleName() + " needs a no-argument constructor");
        }
    }

    private void checkFlagDeclarations(Element e) {
        AnnotationMirror ann = mirror(e, DECLARED_FLAGS);
        if (e instanceof TypeElement t) {
            TypeElement def = processingEnv.getElementUtils().getTypeElement(SCHEDULER_DEFINITION);
            if (def != null && !processingEnv.getTypeUtils().isAssignable(t.asType(), processingEnv.getTypeUtils().erasure(def.asType()))) {
                error(e, ann, null, "@DeclaredFlags on " + t.getSimpleName() + ", which does not implement SchedulerDefinition");
            }
        }
        Map<String, List<String>> flags = flagDecls(e, true);
        for (String f : flags.keySet()) {
            if (f.isBlank()) error(e, ann, null, "@Flag name must not be blank");
        }
        for (Map.Entry<String, List<String>> f : flags.entrySet()) {
            for (String r : f.getValue()) {
                if (!flags.containsKey(r)) error(e, ann, null, "flag '" + f.getKey() + "' requires undeclared flag '" + r + "'");
            }
        }
    }

    /** Flag name → requires, in order; duplicates reported. */
    private Map<String, List<String>> flagDecls(Element type, boolean report) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        AnnotationMirror ann = mirror(type, DECLARED_FLAGS);
        if (ann == null) return out;
        AnnotationValue arr = explicitValues(ann).get("value");
        if (arr == null) return out;
        @SuppressWarnings("unchecked")
        List<? extends AnnotationValue> items = (List<? extends AnnotationValue>) arr.getValue();
        for (AnnotationValue item : items) {
            AnnotationMirror flag = (AnnotationMirror) item.getValue();
            Map<String, AnnotationValue> fv = explicitValues(flag);
            String n = fv.get("name") == null ? "" : (String) fv.get("name").getValue();
            if (report && out.containsKey(n)) error(type, ann, item, "flag '" + n + "' declared twice");
            out.putIfAbsent(n, strings(fv.get("requires")));
        }
        return out;
    }

    private List<String> declaredFlagNames(TypeElement sched) {
        return new ArrayList<>(flagDecls(sched, false).keySet());
    }

    private TypeElement schedulerType(AnnotationValue v) {
        if (v == null || !(v.getValue() instanceof DeclaredType dt)) return null;
        TypeElement t = (TypeElement) dt.asElement();
        if (t.getQualifiedName().contentEquals("dev.ktstr.scenario.sched.Eevdf")) return null;
        return t;
    }

    private static boolean hasNoArgConstructor(TypeElement type) {
        List<ExecutableElement> ctors = ElementFilter.constructorsIn(type.getEnclosedElements());
        if (ctors.isEmpty()) return true;
        for (ExecutableElement c : ctors) if (c.getParameters().isEmpty() && !c.getModifiers().contains(Modifier.PRIVATE)) return true;
        return false;
    }

    private static String qualifiedName(TypeMirror t) {
        return ((TypeElement) ((DeclaredType) t).asElement()).getQualifiedName().toString();
    }

    private static AnnotationMirror mirror(Element e, String type) {
        for (AnnotationMirror a : e.getAnnotationMirrors()) {
            if (((TypeElement) a.getAnnotationType().asElement()).getQualifiedName().contentEquals(type)) return a;
        }
        return null;
    }

    private static Map<String, AnnotationValue> explicitValues(AnnotationMirror a) {
        Map<String, AnnotationValue> out = new LinkedHashMap<>();
        if (a == null) return out;
        a.getElementValues().forEach((k, val) -> out.put(k.getSimpleName().toString(), val));
        return out;
    }

    private static Long integral(AnnotationValue v) {
        if (v == null) return null;
        Object o = v.getValue();
        if (o instanceof Integer i) return i.longValue();
        if (o instanceof Long l) return l;
        return null;
    }

    private static List<String> strings(AnnotationValue v) {
        List<String> out = new ArrayList<>();
        if (v == null) return out;
        Object o = v.getValue();
        if (o instanceof List<?> l) {
            for (Object item : l) out.add(String.valueOf(((AnnotationValue) item).getValue()));
        } else {
            out.add(String.valueOf(o));
        }
        return out;
    }

    private void error(Element e, AnnotationMirror a, AnnotationValue v, String msg) {
        if (a != null && v != null) messager.printMessage(Diagnostic.Kind.ERROR, msg, e, a, v);
        else if (a != null) messager.printMessage(Diagnostic.Kind.ERROR, msg, e, a);
        else messager.printMessage(Diagnostic.Kind.ERROR, msg, e);
    }
}
