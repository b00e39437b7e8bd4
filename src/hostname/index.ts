/** butter/hostname: hostname and domain name. One family's entry point (why: src/index.ts). */
export { HOST_NAME_MAX, gethostname, sethostname, getdomainname, setdomainname } from "./calls.ts";
