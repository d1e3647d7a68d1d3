# servokit's servo as a container, as the original servos shipped: Debian 12, the servokit .deb
# from Debian's mirror with every dependency, servokit-servo as the entrypoint, and the servo
# directory /servo with servokit-batch as its adjust and measure drivers (mount config.yaml there).
#
#   cmake --workflow --preset package                         # writes build-package/servokit_*.deb
#   docker build -t servokit/servo-batch -f Dockerfile build-package
#   docker run -d --name opsani-servo \
#       -v /path/to/optune_auth_token:/opt/optune/auth_token \
#       -v /path/to/config.yaml:/servo/config.yaml \
#       servokit/servo-batch --auth-token /opt/optune/auth_token --account my_account my_app
#
# tests/packaging/chroot.sh runs these same steps (COPY, RUN, WORKDIR, ENTRYPOINT) in a fresh
# Debian 12 root made with debootstrap, where no container runtime is at hand.
FROM debian:12
WORKDIR /tmp/servokit
COPY servokit_*.deb ./
RUN apt-get update && apt-get install -y --no-install-recommends ./servokit_*.deb && rm -rf /var/lib/apt/lists/* /tmp/servokit
WORKDIR /servo
RUN ln -s /usr/bin/servokit-batch adjust && ln -s /usr/bin/servokit-batch measure
ENTRYPOINT ["servokit-servo"]
