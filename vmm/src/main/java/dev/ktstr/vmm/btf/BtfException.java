package dev.ktstr.vmm.btf;

/** Malformed BTF, or a type/member that the kernel's BTF does not have. */
public class BtfException extends Exception {
    public BtfException(String message) {
        super(message);
    }
}
