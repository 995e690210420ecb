acl = "log-delivery-write"
