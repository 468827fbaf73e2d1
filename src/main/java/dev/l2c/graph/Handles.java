package dev.l2c.graph;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Ownership of libtorch tensor handles. A JavaCPP pointer made inside a {@link PointerScope} is
 * freed when that scope closes; the executor computes each node inside a scope of its own (so
 * libtorch's by-value results and small helper objects are freed promptly) and keeps only the
 * handles it adopts here.
 */
final class Handles {
    private Handles() {}

    /**
     * A new handle to {@code t}'s tensor, made inside {@code scope} and then taken out of it: the
     * caller owns it and frees it with {@code close()}. {@code t} may be any live handle, including
     * one the scope will free.
     */
    static Tensor adopt(PointerScope scope, Tensor t) {
        Tensor own = new Tensor(t);
        own.retainReference(); // attached to the scope: 1 -> 2
        scope.detach(own);     // 2 -> 1, no scope holds it now
        return own;
    }

    /**
     * Hands an owned handle (see {@link #adopt}) to the scope the caller of the public API runs in,
     * if any, so that closing that scope frees it as it would any pointer made there.
     */
    static Tensor toCaller(Tensor own) {
        PointerScope outer = PointerScope.getInnerScope();
        if (outer != null) {
            outer.attach(own);       // 1 -> 2
            own.releaseReference();  // 2 -> 1, held by the caller's scope
        }
        return own;
    }
}
