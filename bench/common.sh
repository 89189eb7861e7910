# Shared by the bench/*.sh comparisons (sourced, not run).

# A loopback port the kernel considers free right now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The median of the numbers given.
median() { python3 -c 'import sys,statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

# A throwaway CA and a server certificate for 127.0.0.1 signed by it, in DIR: ca.crt, server.crt, server.key.
make_tls_certs() {  # DIR
  command -v openssl >/dev/null || { echo "bench: TLS needs openssl" >&2; exit 2; }
  ( cd "$1"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 1 -subj '/CN=bench CA'
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=127.0.0.1'
    printf 'subjectAltName=IP:127.0.0.1\n' >san.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -out server.crt -extfile san.ext
  ) >/dev/null 2>&1
}
