# Sourced by the bench scripts. k8s_jdk_java_options APP prints the JDK_JAVA_OPTIONS that k8s/base gives APP
# (its ConfigMap seatwatch-APP), or nothing: the per-app JVM flags on top of the image's JAVA_TOOL_OPTIONS.
k8s_jdk_java_options() {
  awk -v cm="seatwatch-$1" '
    /^  - name: / { inside = ($3 == cm); next }
    inside && /^ *- JDK_JAVA_OPTIONS=/ { sub(/^ *- JDK_JAVA_OPTIONS=/, ""); print; exit }
  ' "$(dirname "${BASH_SOURCE[0]}")/../k8s/base/kustomization.yaml"
}
