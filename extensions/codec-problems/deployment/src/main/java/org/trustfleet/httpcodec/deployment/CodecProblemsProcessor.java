package org.trustfleet.httpcodec.deployment;

import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.builditem.BytecodeTransformerBuildItem;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.builditem.SystemPropertyBuildItem;
import io.quarkus.gizmo.Gizmo;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Build steps of the codec-problems extension: Quarkus creates its HTTP servers in
 * {@value #VERTICLE} and offers no way to set Vert.x's {@code invalidRequestHandler}, so the calls to
 * {@code Vertx.createHttpServer(HttpServerOptions)} there are rewritten to
 * {@code InvalidRequests.createHttpServer(vertx, options)}. The build fails when no such call is found (a Quarkus
 * upgrade that moved it), rather than silently losing the handler. Quarkus's own check of the request target (a
 * bare 400 before the router) is turned off: the application checks the target at the front of its router and
 * answers with a problem document.
 */
public class CodecProblemsProcessor {
    static final String VERTICLE = "io.quarkus.vertx.http.runtime.VertxHttpRecorder$WebDeploymentVerticle";
    static final String VERTX = "io/vertx/core/Vertx";
    static final String CREATE = "createHttpServer";
    static final String CREATE_DESCRIPTOR = "(Lio/vertx/core/http/HttpServerOptions;)Lio/vertx/core/http/HttpServer;";
    static final String REPLACEMENT_OWNER = "org/trustfleet/httpcodec/InvalidRequests";
    static final String REPLACEMENT_DESCRIPTOR =
            "(Lio/vertx/core/Vertx;Lio/vertx/core/http/HttpServerOptions;)Lio/vertx/core/http/HttpServer;";

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem("trustfleet-codec-problems");
    }

    @BuildStep
    SystemPropertyBuildItem targetCheckedByTheApplication() {
        return new SystemPropertyBuildItem("vertx.disableURIValidation", "true");
    }

    @BuildStep
    BytecodeTransformerBuildItem answerInvalidRequests() {
        return new BytecodeTransformerBuildItem.Builder()
                .setClassToTransform(VERTICLE)
                .setCacheable(true)
                .setVisitorFunction((className, next) -> new CreateHttpServerRewriter(next))
                .build();
    }

    /** Rewrites every {@code Vertx.createHttpServer(HttpServerOptions)} call of the class it visits. */
    static final class CreateHttpServerRewriter extends ClassVisitor {
        private int rewritten;

        CreateHttpServerRewriter(ClassVisitor next) {
            super(Gizmo.ASM_API_VERSION, next);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                String[] exceptions) {
            MethodVisitor method = super.visitMethod(access, name, descriptor, signature, exceptions);
            return new MethodVisitor(Gizmo.ASM_API_VERSION, method) {
                @Override
                public void visitMethodInsn(int opcode, String owner, String called, String calledDescriptor,
                        boolean isInterface) {
                    if (opcode == Opcodes.INVOKEINTERFACE && VERTX.equals(owner) && CREATE.equals(called)
                            && CREATE_DESCRIPTOR.equals(calledDescriptor)) {
                        // same operand stack: (vertx, options) -> server
                        rewritten++;
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, REPLACEMENT_OWNER, CREATE,
                                REPLACEMENT_DESCRIPTOR, false);
                        return;
                    }
                    super.visitMethodInsn(opcode, owner, called, calledDescriptor, isInterface);
                }
            };
        }

        @Override
        public void visitEnd() {
            if (rewritten == 0) {
                throw new IllegalStateException("trustfleet-codec-problems: no Vertx.createHttpServer(options) call "
                        + "in " + VERTICLE + "; this Quarkus version creates its HTTP servers elsewhere, and requests "
                        + "the HTTP codec refuses would get bare answers");
            }
            super.visitEnd();
        }
    }
}
