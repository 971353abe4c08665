from tests.authz.matrix import Case

CASES = [
    Case("home page", "core:home", lambda w: "/", expect={r: 200 for r in ("employee", "manager", "head", "hrbp", "hr", "exec", "admin")}),
]
