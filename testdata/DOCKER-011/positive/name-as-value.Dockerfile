FROM postgres:16.4
# The value is the word of the name, but it is a password anyone can now use.
ENV PASSWORD password
USER postgres
