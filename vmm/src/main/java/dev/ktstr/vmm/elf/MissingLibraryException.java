package dev.ktstr.vmm.elf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A DT_NEEDED soname (or PT_INTERP) could not be found on the host. */
public final class MissingLibraryException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String soname;
    private final Path neededBy;

    public MissingLibraryException(String soname, Path neededBy, List<Path> searched) {
        super("shared library '" + soname + "' needed by " + neededBy + " was not found (searched RPATH/RUNPATH, "
                + "LD_LIBRARY_PATH, /etc/ld.so.cache and " + searched + "); install the package that provides it, "
                + "or set LD_LIBRARY_PATH to its directory");
        this.soname = soname;
        this.neededBy = neededBy;
    }

    public String soname() {
        return soname;
    }

    public Path neededBy() {
        return neededBy;
    }
}
