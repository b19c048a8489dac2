package dev.ktstr.vmm.btf;

/** BTF type kinds (include/uapi/linux/btf.h); the numeric value is what the blob stores. */
public enum BtfKind {
    UNKNOWN, INT, PTR, ARRAY, STRUCT, UNION, ENUM, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FUNC_PROTO,
    VAR, DATASEC, FLOAT, DECL_TAG, TYPE_TAG, ENUM64;

    static BtfKind of(int v) {
        BtfKind[] all = values();
        if (v <= 0 || v >= all.length) return UNKNOWN;
        return all[v];
    }

    /** Kinds that only qualify or rename another type and have no layout of their own. */
    boolean isModifier() {
        return this == TYPEDEF || this == VOLATILE || this == CONST || this == RESTRICT || this == TYPE_TAG;
    }
}
