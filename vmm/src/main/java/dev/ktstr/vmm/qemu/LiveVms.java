package dev.ktstr.vmm.qemu;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Every running VM of this JVM; a shutdown hook (Ctrl-C, System.exit) kills what is left. */
final class LiveVms {
    private static final Set<QemuVm> LIVE = ConcurrentHashMap.newKeySet();
    private static volatile boolean hookInstalled;

    private LiveVms() {}

    static void add(QemuVm vm) {
        if (!hookInstalled) {
            synchronized (LiveVms.class) {
                if (!hookInstalled) {
                    Runtime.getRuntime().addShutdownHook(new Thread(LiveVms::killAll, "ktstr-qemu-reaper"));
                    hookInstalled = true;
                }
            }
        }
        LIVE.add(vm);
    }

    static void remove(QemuVm vm) {
        LIVE.remove(vm);
    }

    static int count() {
        return LIVE.size();
    }

    private static void killAll() {
        for (QemuVm vm : LIVE) {
            vm.killNow();
        }
    }
}
