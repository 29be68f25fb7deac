"""Digital signatures (ЭЦҚ / ЭЦП) of the National Certification Authority of Kazakhstan, verified
offline: ``cms`` reads the CMS/PKCS#7 file, ``algorithms`` checks GOST R 34.10-2015 (512 bit) and
RSA, ``chain`` the certificates, ``roles`` who signed, ``unit`` the form's reporting unit, and
``verify`` puts the steps together (``krm confirm``; docs/confirm.md).  Heavy imports stay inside."""
